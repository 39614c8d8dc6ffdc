"""Contribution events as signed, hash-chained records (design.md §3).

An event's hash is SHA-256 over the RFC 8785 canonical JSON of its body; its signature is
Ed25519 over a domain-separated message holding that hash, so a signature made for an event
can never be replayed as a checkpoint or DSSE signature (or the reverse).

Standard library and `cryptography` only: the offline verifier imports this module.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from provenance.canonical import canonicalize

EVENT_VERSION = 1
SIGNING_CONTEXT = b"songproof/event/v1\x00"
# The fields that are hashed, in the order a reader meets them; the rest (event_hash,
# signature, log_index) are derived from these.
BODY_FIELDS = (
    "v",
    "work",
    "organisation",
    "seq",
    "kind",
    "actor",
    "payload",
    "created_at",
    "prev_hash",
    "key_id",
)


def key_id_for(purpose: str, public_key: bytes) -> str:
    """A key's id, derived from its raw public key, so a verifier can name a PEM by itself."""
    return f"{purpose}-{hashlib.sha256(public_key).hexdigest()[:16]}"


def canonical_body(event: dict[str, Any]) -> bytes:
    """The bytes that are hashed: the body fields of an event (exported or new)."""
    return canonicalize({name: event[name] for name in BODY_FIELDS})


def event_hash(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def sign_event_hash(hash_hex: str, private_key: Ed25519PrivateKey) -> bytes:
    return private_key.sign(SIGNING_CONTEXT + bytes.fromhex(hash_hex))


def event_signature_valid(hash_hex: str, signature: bytes, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(signature, SIGNING_CONTEXT + bytes.fromhex(hash_hex))
    except (InvalidSignature, ValueError):
        return False
    return True
