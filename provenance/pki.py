"""The local C2PA signing PKI of the embedded default: a root CA and one signing certificate.

c2pa-rs accepts a signing certificate only with this profile (field-notes.md, measured): an
end entity (CA:FALSE), critical KeyUsage digitalSignature alone, EKU emailProtection, SKI
and AKI, issued by a separate root. The root is what verifiers are given as trust anchor.

The signing key is stored as PKCS#8 encrypted with a password derived from the
key-encryption key (HKDF), never in clear; the root's key is not needed after issuing and is
not kept at all (a new signing certificate means a new local PKI, `init_pki --force`).

No Django: the paths and the key-encryption key are arguments.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_DAYS = 3650
SIGNER_DAYS = 825
CLOCK_SKEW = datetime.timedelta(minutes=5)
KDF_INFO = b"songproof/c2pa-signing-key/v1"
CHAIN_FILE = "c2pa-chain.pem"  # signing certificate, then the root
KEY_FILE = "c2pa-signing-key.pem"  # encrypted PKCS#8
ANCHORS_FILE = "c2pa-anchors.pem"  # the root alone: the trust anchor


class PkiExistsError(FileExistsError):
    pass


@dataclass(frozen=True)
class PkiPaths:
    chain: Path
    key: Path
    anchors: Path

    @classmethod
    def in_folder(cls, folder: Path) -> PkiPaths:
        return cls(folder / CHAIN_FILE, folder / KEY_FILE, folder / ANCHORS_FILE)

    def exist(self) -> bool:
        return self.chain.exists() and self.key.exists() and self.anchors.exists()


def key_password(kek: bytes) -> bytes:
    """The PKCS#8 password: derived, so the KEK itself never protects two kinds of thing."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KDF_INFO).derive(kek).hex().encode()


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int, now) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def root_certificate(key: ec.EllipticCurvePrivateKey, *, organisation: str, now) -> x509.Certificate:
    name = _name(f"{organisation} C2PA root", organisation)
    return (
        _builder(name, name, key.public_key(), ROOT_DAYS, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .sign(key, hashes.SHA256())
    )


def signing_certificate(
    key: ec.EllipticCurvePrivateKey,
    *,
    root: x509.Certificate,
    root_key: ec.EllipticCurvePrivateKey,
    organisation: str,
    now,
) -> x509.Certificate:
    subject = _name(f"{organisation} C2PA signer", organisation)
    return (
        _builder(subject, root.subject, key.public_key(), SIGNER_DAYS, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def pki_create(folder: Path, *, kek: bytes, organisation: str = "SongProof", force: bool = False) -> PkiPaths:
    """Make the root and the ES256 signing certificate in `folder`; PkiExistsError when a
    PKI is already there (unless `force`: then the old one is replaced, and files signed
    with it only verify against the old anchor)."""
    paths = PkiPaths.in_folder(folder)
    if not force and any(p.exists() for p in (paths.chain, paths.key, paths.anchors)):
        raise PkiExistsError(f"a C2PA PKI already exists in {folder}")
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    root_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = root_certificate(root_key, organisation=organisation, now=now)
    signer = signing_certificate(signer_key, root=root, root_key=root_key, organisation=organisation, now=now)
    encrypted = signer_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(key_password(kek)),
    )
    root_pem = root.public_bytes(serialization.Encoding.PEM)
    _write_private(paths.key, encrypted)
    # Anchors last: `exist()` is only true once the whole set is written.
    paths.chain.write_bytes(signer.public_bytes(serialization.Encoding.PEM) + root_pem)
    paths.anchors.write_bytes(root_pem)
    return paths


def private_key_pem(path: Path, *, kek: bytes | None) -> bytes:
    """The signing key as unencrypted PKCS#8 PEM, in memory only (what c2pa's signer takes).

    A key file encrypted by `pki_create` needs the KEK; a plain PEM (a deployment's own key,
    mounted as a secret file) is taken as it is.
    """
    data = path.read_bytes()
    password = key_password(kek) if kek is not None and b"ENCRYPTED" in data else None
    key = serialization.load_pem_private_key(data, password=password)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def chain_certificates(pem: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem)
