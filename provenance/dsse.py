"""DSSE envelopes (Dead Simple Signing Envelope) around in-toto Statements.

Standard library and `cryptography` only: the offline verifier imports this module.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from provenance.canonical import canonicalize

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "urn:songproof:predicate:contribution-record:v1"


class EnvelopeError(ValueError):
    pass


def pae(payload_type: str, body: bytes) -> bytes:
    """Pre-Authentication Encoding: "DSSEv1 SP len(type) SP type SP len(body) SP body"."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)


def statement(*, subjects: list[dict[str, Any]], predicate: dict[str, Any]) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }


def seal(payload: dict[str, Any], *, key_id: str, private_key: Ed25519PrivateKey) -> dict[str, Any]:
    body = canonicalize(payload)
    signature = private_key.sign(pae(PAYLOAD_TYPE, body))
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(body).decode(),
        "signatures": [{"keyid": key_id, "sig": base64.b64encode(signature).decode()}],
    }


def open_envelope(envelope: dict[str, Any], public_keys: dict[str, Ed25519PublicKey]) -> tuple[str, dict]:
    """(key id that signed, decoded payload) when one signature verifies; EnvelopeError otherwise."""
    if envelope.get("payloadType") != PAYLOAD_TYPE:
        raise EnvelopeError(f"payloadType is {envelope.get('payloadType')!r}, expected {PAYLOAD_TYPE!r}")
    try:
        body = base64.b64decode(envelope["payload"], validate=True)
        signatures = [(s["keyid"], base64.b64decode(s["sig"], validate=True)) for s in envelope["signatures"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise EnvelopeError(f"malformed envelope: {exc}") from None
    for key_id, signature in signatures:
        key = public_keys.get(key_id)
        if key is None:
            continue
        try:
            key.verify(signature, pae(PAYLOAD_TYPE, body))
        except InvalidSignature:
            continue
        try:
            return key_id, json.loads(body)
        except ValueError:
            raise EnvelopeError("payload is not JSON") from None
    raise EnvelopeError("no signature verifies with the bundle's record key")
