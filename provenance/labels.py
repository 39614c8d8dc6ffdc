"""Labels on exports: the configured C2PA signing credentials, trust anchors, AIGC labels.

The embedded default signs with the local PKI under var/pki/ and makes it on first use, so
`make demo` needs no extra step; a deployment configures its own chain and key (or a
signing callback for a KMS/HSM), and then nothing is ever made here.
"""

from __future__ import annotations

import fcntl
import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from provenance import aigc, pki
from provenance.keys import active_key, key_encryption_key, private_key, public_key
from provenance.manifests import SigningCredentials
from provenance.models import KeyPurpose, SigningKey

logger = logging.getLogger(__name__)


def local_pki_paths() -> pki.PkiPaths:
    return pki.PkiPaths.in_folder(Path(settings.C2PA_PKI_DIR))


def pki_init(*, force: bool = False) -> pki.PkiPaths:
    """Make the local PKI (PkiExistsError when there is one and not `force`)."""
    paths = pki.pki_create(Path(settings.C2PA_PKI_DIR), kek=key_encryption_key(), force=force)
    logger.info("made the local C2PA PKI in %s", settings.C2PA_PKI_DIR)
    return paths


def _local_pki() -> pki.PkiPaths:
    paths = local_pki_paths()
    if paths.exist():
        return paths
    paths.chain.parent.mkdir(parents=True, exist_ok=True)
    # Two processes exporting for the first time together must not each make a PKI.
    with open(paths.chain.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not paths.exist():
            pki_init()
    return paths


def _configured_paths() -> tuple[Path, Path | None, Path]:
    """(chain, key, anchors): configured ones, else the local PKI's."""
    if settings.C2PA_CERT_CHAIN_PATH is None:
        local = _local_pki()
        return local.chain, local.key, local.anchors
    return settings.C2PA_CERT_CHAIN_PATH, settings.C2PA_PRIVATE_KEY_PATH, settings.C2PA_TRUST_ANCHORS_PATH


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"{what}: cannot read {str(path)!r}: {exc.strerror}") from exc


def signing_credentials() -> SigningCredentials:
    chain, key, _ = _configured_paths()
    callback = settings.C2PA_SIGNER_CALLBACK
    # mtime in the key: `init_pki --force` (or a renewed certificate) takes effect at once.
    stamp = f"{chain}:{_mtime(chain)}:{key}:{_mtime(key)}:{callback}:{settings.C2PA_SIGNING_ALG}"
    return _credentials(stamp, chain, key, callback)


def _mtime(path: Path | None) -> int:
    return path.stat().st_mtime_ns if path is not None and path.exists() else 0


@lru_cache(maxsize=4)
def _credentials(stamp: str, chain: Path, key: Path | None, callback: str | None) -> SigningCredentials:
    chain_pem = _read(chain, "C2PA_CERT_CHAIN_PATH")
    if callback is not None:
        try:
            sign = import_string(callback)
        except ImportError as exc:
            raise ImproperlyConfigured(f"C2PA_SIGNER_CALLBACK: cannot import {callback!r}: {exc}") from exc
        return SigningCredentials(chain_pem, stamp, callback=sign, alg=settings.C2PA_SIGNING_ALG)
    if key is None:
        raise ImproperlyConfigured("C2PA_PRIVATE_KEY_PATH: required without C2PA_SIGNER_CALLBACK")
    try:
        key_pem = pki.private_key_pem(key, kek=key_encryption_key())
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"C2PA_PRIVATE_KEY_PATH: cannot load the signing key: {exc}") from exc
    return SigningCredentials(chain_pem, stamp, private_key_pem=key_pem, alg=settings.C2PA_SIGNING_ALG)


def trust_anchors_pem() -> bytes:
    _, _, anchors = _configured_paths()
    return _read(anchors, "C2PA_TRUST_ANCHORS_PATH")


def aigc_label(*, produce_id: str) -> dict[str, str]:
    """The GB 45438-2025 implicit label of one export, signed with the record key."""
    return aigc.implicit_label(
        producer=settings.SONGPROOF_AIGC_PRODUCER,
        produce_id=produce_id,
        private_key=private_key(active_key(KeyPurpose.RECORD)),
    )


def record_public_keys() -> list:
    """Every record key's public half (retired ones included)."""
    return [public_key(key) for key in SigningKey.objects.filter(purpose=KeyPurpose.RECORD)]


def aigc_label_valid(label: dict[str, str], keys: list | None = None) -> bool:
    """ReservedCode1 verifies with one of the record keys (`keys`, read when not given)."""
    return aigc.label_signature_valid(label, record_public_keys() if keys is None else keys)
