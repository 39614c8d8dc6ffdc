"""Ed25519 signing keys: made on first use, encrypted at rest, rotated on demand.

The key-encryption key (KEK) comes from SONGPROOF_KEY_ENCRYPTION_KEY; the embedded default
generates one in var/ and warns about it at start-up. Private keys are decrypted in the
process that signs, cached there by key id, and never returned by any API or logged.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import time
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from provenance.models import KeyPurpose, SigningKey
from provenance.note import raw_public_key
from provenance.record import key_id_for

logger = logging.getLogger(__name__)
NONCE_BYTES = 12
ACTIVE_KEY_TTL_S = 10.0
_active_keys: dict[str, tuple[float, SigningKey]] = {}


@cache
def key_encryption_key() -> bytes:
    configured = settings.SONGPROOF_KEY_ENCRYPTION_KEY
    if configured is None:
        return _embedded_kek()
    try:
        kek = base64.b64decode(configured, validate=True)
    except binascii.Error:
        raise ImproperlyConfigured("SONGPROOF_KEY_ENCRYPTION_KEY: not base64") from None
    if len(kek) != 32:
        raise ImproperlyConfigured("SONGPROOF_KEY_ENCRYPTION_KEY: must decode to 32 bytes")
    return kek


def _embedded_kek() -> bytes:
    path = settings.SONGPROOF_EMBEDDED_KEK_PATH
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not each write a different key.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(base64.b64encode(os.urandom(32)).decode())
    return base64.b64decode(path.read_text().strip())


def warn_if_embedded_kek() -> None:
    if settings.SONGPROOF_KEY_ENCRYPTION_KEY is None:
        logger.warning(
            "signing keys are encrypted with the embedded key-encryption key in %s; "
            "set SONGPROOF_KEY_ENCRYPTION_KEY for a real deployment",
            settings.SONGPROOF_EMBEDDED_KEK_PATH,
        )


def _seal(private_key: Ed25519PrivateKey, *, key_id: str) -> bytes:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(NONCE_BYTES)
    # The key id is authenticated data: a ciphertext copied onto another row fails to open.
    return nonce + AESGCM(key_encryption_key()).encrypt(nonce, raw, key_id.encode())


@cache
def _unsealed(key_id: str, sealed: bytes) -> Ed25519PrivateKey:
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        raw = AESGCM(key_encryption_key()).decrypt(nonce, ciphertext, key_id.encode())
    except InvalidTag:
        raise ImproperlyConfigured(
            f"SONGPROOF_KEY_ENCRYPTION_KEY: signing key {key_id} does not decrypt with the configured "
            "key-encryption key (was it changed, or the embedded var/ one regenerated?)"
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    return _unsealed(key.key_id, bytes(key.encrypted_private_key))


def public_key(key: SigningKey) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes(key.public_key))


def _create(purpose: str) -> SigningKey:
    secret = Ed25519PrivateKey.generate()
    public = raw_public_key(secret.public_key())
    key_id = key_id_for(purpose, public)
    key = SigningKey(
        key_id=key_id, purpose=purpose, public_key=public, encrypted_private_key=_seal(secret, key_id=key_id)
    )
    key.full_clean(exclude=["encrypted_private_key"])
    key.save(force_insert=True)
    logger.info("created %s signing key %s", purpose, key_id)
    return key


def active_key(purpose: str) -> SigningKey:
    """The key that signs for `purpose` now, made on first use.

    Looked up at most every ACTIVE_KEY_TTL_S seconds per process (it is on every event's
    path): a rotation made by another process takes effect here within that time.
    """
    cached = _active_keys.get(purpose)
    if cached is not None and time.monotonic() - cached[0] < ACTIVE_KEY_TTL_S:
        return cached[1]
    key = SigningKey.objects.filter(purpose=purpose, retired_at__isnull=True).first()
    if key is None:
        try:
            with transaction.atomic():
                key = _create(purpose)
        except IntegrityError:
            # Another process made it first (one active key per purpose is a constraint).
            key = SigningKey.objects.get(purpose=purpose, retired_at__isnull=True)
    _active_keys[purpose] = (time.monotonic(), key)
    return key


def forget_cached_keys() -> None:
    _active_keys.clear()


@transaction.atomic
def key_rotate(*, purpose: str) -> SigningKey:
    """Retire the active key (it keeps verifying what it signed) and make a new one."""
    if purpose not in KeyPurpose.values:
        raise ValueError(f"unknown key purpose {purpose!r}")
    current = SigningKey.objects.select_for_update().filter(purpose=purpose, retired_at__isnull=True).first()
    if current is not None:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
    _active_keys.pop(purpose, None)
    return _create(purpose)
