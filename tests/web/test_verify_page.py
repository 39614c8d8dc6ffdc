"""The public Verify page: plain-words verdicts, details folded below, no account needed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generation.exports import take_export
from tests.web.test_work_page import takes  # noqa: F401  (fixture)
from web.views.verify import MESSAGE_CHOOSE_FILE, MESSAGE_TOO_LARGE

pytestmark = pytest.mark.django_db


def _upload(client, name, data):
    return client.post(reverse("web:verify"), {"file": SimpleUploadedFile(name, data)})


def test_anyone_sees_that_an_exported_file_is_intact(client, owner, takes):  # noqa: F811
    export = take_export(take=takes[0], fmt="wav", exported_by=owner.membership)
    response = _upload(client, "song.wav", export.file.read())
    assert response.status_code == 200
    assert b"This file was made with SongProof and its label is intact." in response.content
    assert b"<details>" in response.content
    assert takes[0].work.title.encode() not in response.content  # the public summary only


def test_evidence_bundle_is_verified(client, owner_web, takes):  # noqa: F811
    bundle = owner_web.get(reverse("web:work-evidence", args=[takes[0].work_id])).content
    response = _upload(client, "evidence.zip", bundle)
    assert b"This evidence bundle is intact" in response.content


def test_verify_without_a_file_asks_for_one(client):
    response = client.post(reverse("web:verify"))
    assert response.status_code == 400
    assert MESSAGE_CHOOSE_FILE.encode() in response.content


def test_a_file_over_the_limit_is_refused_before_its_body_is_read(client, settings):
    settings.SIMILARITY_MAX_UPLOAD_BYTES = 1024
    response = _upload(client, "huge.wav", b"\0" * 4096)
    assert response.status_code == 413
    assert MESSAGE_TOO_LARGE.encode() in response.content


def test_a_file_that_is_not_audio_gets_a_plain_error(client):
    response = _upload(client, "notes.txt", b"hello, this is not a song")
    assert response.status_code == 400
    assert b'role="alert"' in response.content
