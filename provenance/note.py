"""C2SP signed notes and tlog checkpoints, with Ed25519 keys.

A checkpoint is the note text::

    <origin>
    <tree size>
    <base64 root hash>

followed by a blank line and one signature line per signer: "— <key name> <base64(key id ‖
signature)>". The key id is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key),
where 0x01 names Ed25519. A verifier key is written "<name>+<hex key id>+<base64(0x01 ‖
public key)>".

Standard library and `cryptography` only: the offline verifier imports this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class NoteError(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def note_key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    key_id = note_key_id(name, public_key).hex()
    return f"{name}+{key_id}+{base64.b64encode(ED25519 + public_key).decode()}"


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    key_id: bytes
    public_key: bytes


def parse_verifier_key(vkey: str) -> NoteVerifier:
    try:
        name, key_id_hex, encoded = vkey.strip().split("+", 2)  # base64 may contain "+"
        key_id = bytes.fromhex(key_id_hex)
        material = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise NoteError(f"malformed verifier key: {exc}") from None
    if material[:1] != ED25519 or len(material) != 33:
        raise NoteError("verifier key is not an Ed25519 key")
    if note_key_id(name, material[1:]) != key_id:
        raise NoteError("verifier key id does not match its name and key")
    return NoteVerifier(name=name, key_id=key_id, public_key=material[1:])


def sign_note(text: str, *, name: str, private_key: Ed25519PrivateKey) -> str:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    public_key = raw_public_key(private_key.public_key())
    signature = private_key.sign(text.encode())
    encoded = base64.b64encode(note_key_id(name, public_key) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{name} {encoded}\n"


def open_note(note: str, verifier: NoteVerifier) -> str:
    """The note's text when `verifier` signed it; NoteError otherwise."""
    text, separator, signatures = note.rpartition("\n\n")
    if not separator:
        raise NoteError("note has no signature block")
    text += "\n"
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("malformed signature line")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError("signature is not base64") from None
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(blob[4:], text.encode())
        except InvalidSignature:
            raise NoteError(f"signature by {name} does not verify") from None
        return text
    raise NoteError(f"note is not signed by {verifier.name}")


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.rstrip("\n").split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint needs origin, size and root hash lines")
    origin, size_text, root_text, *extensions = lines
    if not size_text.isdigit():
        raise NoteError(f"checkpoint size {size_text!r} is not a number")
    try:
        root_hash = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise NoteError("checkpoint root hash is not base64") from None
    if len(root_hash) != 32:
        raise NoteError("checkpoint root hash is not 32 bytes")
    return Checkpoint(origin=origin, size=int(size_text), root_hash=root_hash, extensions=tuple(extensions))
