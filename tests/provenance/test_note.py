import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provenance.note import (
    Checkpoint,
    NoteError,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    raw_public_key,
    sign_note,
    verifier_key,
)

ORIGIN = "example.org/log"


@pytest.fixture
def signer():
    return Ed25519PrivateKey.generate()


def _note(signer, size=3):
    text = Checkpoint(origin=ORIGIN, size=size, root_hash=hashlib.sha256(b"root").digest()).text()
    return text, sign_note(text, name=ORIGIN, private_key=signer)


def test_checkpoint_is_a_c2sp_signed_note(signer):
    _, note = _note(signer)

    origin, size, root, blank, signature, end = note.split("\n")
    assert (origin, size, blank, end) == (ORIGIN, "3", "", "")
    assert base64.b64decode(root) == hashlib.sha256(b"root").digest()
    assert signature.startswith(f"\u2014 {ORIGIN} ")
    key_id = base64.b64decode(signature.rsplit(" ", 1)[1])[:4]
    public = raw_public_key(signer.public_key())
    assert key_id == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]


def test_note_opens_with_its_verifier_key(signer):
    text, note = _note(signer)
    verifier = parse_verifier_key(verifier_key(ORIGIN, raw_public_key(signer.public_key())))

    assert open_note(note, verifier) == text
    assert parse_checkpoint(text).size == 3


def test_tampered_or_foreign_notes_are_refused(signer):
    _, note = _note(signer)
    verifier = parse_verifier_key(verifier_key(ORIGIN, raw_public_key(signer.public_key())))
    other = parse_verifier_key(
        verifier_key(ORIGIN, raw_public_key(Ed25519PrivateKey.generate().public_key()))
    )

    with pytest.raises(NoteError, match="does not verify"):
        open_note(note.replace("\n3\n", "\n4\n"), verifier)
    with pytest.raises(NoteError, match="not signed by"):
        open_note(note, other)


def test_verifier_key_with_a_wrong_id_is_refused(signer):
    name, _, key = verifier_key(ORIGIN, raw_public_key(signer.public_key())).split("+", 2)

    with pytest.raises(NoteError, match="key id"):
        parse_verifier_key(f"{name}+00000000+{key}")
