"""Private keys stay secret: encrypted at rest, never written to a log (issue 9)."""

from __future__ import annotations

import base64
import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from generation.services import work_create
from provenance import pki
from provenance.keys import active_key, key_encryption_key, key_rotate, private_key
from provenance.labels import local_pki_paths, pki_init
from provenance.models import KeyPurpose, SigningKey
from tests.web_rights.conftest import generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_log(caplog):
    """Every logger at DEBUG (SQL included), also those that do not propagate to the root."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    caplog.set_level(logging.DEBUG)
    for logger in loggers:
        caplog.set_level(logging.DEBUG, logger=logger.name)
    detached = [logger for logger in loggers if not logger.propagate]
    for logger in detached:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def _spellings(raw: bytes) -> list[str]:
    """How a key's bytes could appear in a log: hex, base64 (standard and URL-safe), repr."""
    return [
        raw.hex(),
        raw.hex().upper(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        repr(raw)[2:-1],
    ]


def _raw(key: SigningKey) -> bytes:
    return private_key(key).private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def test_keys_are_never_logged_through_creation_rotation_signing_pki_and_export(
    every_log, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.C2PA_PKI_DIR = tmp_path / "pki"
    active_key(KeyPurpose.RECORD)
    key_rotate(purpose=KeyPurpose.RECORD)
    pki_init()
    work = work_create(organisation=owner.organisation, title="Quiet Keys", created_by=owner.membership)
    take = generate(owner, work, seed=3, seconds=4.0)
    response = owner.client.post(f"/api/takes/{take.id}/exports/", {"format": "wav"}, format="json")
    assert response.status_code == 201, response.content
    private_key(active_key(KeyPurpose.LOG)).sign(b"a checkpoint")

    logged = "\n".join(record.getMessage() for record in every_log.records) + every_log.text
    assert "PRIVATE KEY" not in logged
    keys = list(SigningKey.objects.all())
    assert len(keys) >= 3  # two record keys (one retired) and the log's
    c2pa_pem = pki.private_key_pem(local_pki_paths().key, kek=key_encryption_key())
    c2pa_scalar = serialization.load_pem_private_key(c2pa_pem, None).private_numbers().private_value
    secrets = [_raw(key) for key in keys] + [c2pa_scalar.to_bytes(32, "big")]
    for secret in secrets:
        for spelling in _spellings(secret):
            assert spelling not in logged
    assert str(c2pa_scalar) not in logged


def test_signing_keys_are_stored_encrypted(db):
    key = key_rotate(purpose=KeyPurpose.LOG)
    stored = bytes(SigningKey.objects.get(pk=key.pk).encrypted_private_key)

    raw = _raw(key)
    assert raw not in stored
    assert len(stored) > len(raw)  # nonce and authentication tag around the ciphertext


def test_the_local_c2pa_key_file_is_encrypted(settings, tmp_path):
    settings.C2PA_PKI_DIR = tmp_path / "pki"
    paths = pki_init()

    assert b"ENCRYPTED PRIVATE KEY" in paths.key.read_bytes()
    assert oct(paths.key.stat().st_mode & 0o777) == "0o600"
