"""Verifying files: signed exports, stripped re-encodes (soft binding), tampering, bad input."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import c2pa
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from generation.models import Export
from provenance import manifests, pki
from provenance.exports_index import exports_index, index_path
from provenance.verification import MESSAGE_EMPTY, MESSAGE_NOT_AUDIO, MESSAGE_UNSUPPORTED
from provenance.verification_api import PublicVerifyThrottle
from tests.provenance.conftest import PROMPT, export_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def exported(owner, take) -> tuple[Export, bytes]:
    return export_of(owner, take)


def reencode(data: bytes, fmt: str = "mp3", bitrate: str = "128k") -> bytes:
    command = ["ffmpeg", "-v", "error", "-i", "pipe:0", "-map_metadata", "-1", "-b:a", bitrate, "-f", fmt]
    return subprocess.run([*command, "pipe:1"], input=data, capture_output=True, check=True).stdout


def tone(seconds: float = 6.0) -> bytes:
    from generation.synth import wav_bytes

    t = np.arange(int(44_100 * seconds)) / 44_100
    wave = 0.3 * np.sin(2 * np.pi * 523 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2
    import torch

    return wav_bytes(torch.tensor(np.stack([wave, wave]), dtype=torch.float32))


def post(client, data: bytes, name: str = "song.mp3", path: str = "/api/verify/"):
    return client.post(path, {"file": SimpleUploadedFile(name, data)}, format="multipart")


PRIVATE = ("Harbour Lights", PROMPT, "ada", "aurora")


def assert_public(work: dict, export: Export) -> None:
    assert work["view"] == "public"
    assert work["export"] == {"id": str(export.id), "created_at": export.created_at.isoformat()}
    assert work["ai_generated"] is True and work["c2pa_state"] == "trusted"
    assert work["training_mining"] == "notAllowed" and work["producer"]
    assert not {"id", "title", "record"} & set(work)
    text = json.dumps(work)
    assert not any(private in text for private in PRIVATE)
    assert str(export.work_id) not in text and str(export.work.organisation_id) not in text


def test_exported_file_reads_trusted_in_c2pa_python_with_the_bundles_anchor(owner, song, exported):
    _, data = exported
    bundle = owner.client.get(f"/api/works/{song.id}/evidence/").content
    anchors = zipfile.ZipFile(io.BytesIO(bundle)).read("keys/c2pa-anchors.pem").decode()

    context = c2pa.Context.from_dict({"trust": {"trust_anchors": anchors}})
    with c2pa.Reader.try_create("audio/flac", io.BytesIO(data), None, context) as reader:
        store = json.loads(reader.json())

    assert store["validation_state"] == "Trusted"


def test_signed_export_is_verified_by_its_manifest_with_the_record_for_its_owner(owner, exported):
    export, data = exported

    body = post(owner.client, data, "song.flac").json()

    assert body["recovered_by"] == "manifest" and body["format"] == "flac"
    assert body["c2pa"]["state"] == "trusted" and body["c2pa"]["failures"] == []
    assert body["c2pa"]["actions"][0]["action"] == "c2pa.created"
    assert body["aigc"]["ProduceID"] == str(export.id) and body["aigc"]["signature_valid"] is True
    work = body["work"]
    assert work["view"] == "full" and work["id"] == str(export.work_id) and work["title"] == "Harbour Lights"
    assert work["export"]["sha256"] == export.sha256
    record = work["record"]
    assert record["head_in_record"] is True and record["digest"] == record["events"][-1]["event_hash"]
    assert [e["kind"] for e in record["events"]][:2] == ["work.created", "prompt"]


def test_stripped_mp3_is_recovered_by_soft_binding_with_the_full_record_for_the_owner(owner, exported):
    export, data = exported

    body = post(owner.client, reencode(data)).json()

    assert body["recovered_by"] == "soft_binding"
    assert body["match"]["export"] == str(export.id) and body["match"]["score"] > 0.85
    assert body["c2pa"]["state"] == "trusted"  # the stored original's manifest
    assert body["work"]["view"] == "full" and body["work"]["id"] == str(export.work_id)
    assert any(
        e["kind"] == "prompt" and e["payload"]["prompt"] == PROMPT for e in body["work"]["record"]["events"]
    )


def test_stripped_mp3_shows_only_the_public_summary_to_another_organisation_and_to_anyone(
    outsider, anonymous, exported
):
    export, data = exported
    stripped = reencode(data, bitrate="64k")

    for client, path in ((outsider.client, "/api/verify/"), (anonymous, "/api/public/verify/")):
        response = post(client, stripped, path=path)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["recovered_by"] == "soft_binding" and body["match"]["export"] == str(export.id)
        assert_public(body["work"], export)
        assert "record" not in json.dumps(body["c2pa"])


def test_signed_export_shows_only_the_public_summary_to_anyone(anonymous, exported):
    export, data = exported

    body = post(anonymous, data, "song.flac", path="/api/public/verify/").json()

    assert body["recovered_by"] == "manifest"
    assert_public(body["work"], export)


def test_audio_that_was_never_exported_is_not_found(owner, exported):
    body = post(owner.client, tone(), "tone.wav").json()

    assert body["recovered_by"] is None and body["work"] is None and body["match"] is None


def test_one_changed_audio_byte_is_invalid_with_a_data_hash_mismatch(owner, exported):
    _, data = exported
    tampered = bytearray(data)
    tampered[-2000] ^= 0x01

    body = post(owner.client, bytes(tampered), "song.flac").json()

    assert body["recovered_by"] == "manifest" and body["c2pa"]["state"] == "invalid"
    assert "assertion.dataHash.mismatch" in body["c2pa"]["failures"]
    assert body["work"] is None  # an invalid manifest is not believed about which export it is


def test_a_file_signed_by_someone_else_is_valid_but_untrusted(owner, tmp_path):
    kek = bytes(range(32))
    other = pki.pki_create(tmp_path / "other-pki", kek=kek)
    credentials = manifests.SigningCredentials(
        chain_pem=other.chain.read_bytes(),
        cache_key="other",
        private_key_pem=pki.private_key_pem(other.key, kek=kek),
    )
    claim = manifests.Claim(title="x", software_agent={"name": "elsewhere"}, record={})
    signed = manifests.sign(tone(), "wav", claim, credentials)

    body = post(owner.client, signed, "x.wav").json()

    assert body["c2pa"]["state"] == "valid" and "signingCredential.untrusted" in body["c2pa"]["failures"]
    assert body["work"] is None


def test_corrupt_and_truncated_manifests_are_invalid_with_a_precise_code(owner, take):
    _, wav = export_of(owner, take, "wav")
    corrupt = bytearray(wav)
    jumbf = wav.index(b"jumb")
    corrupt[jumbf + 200] ^= 0xFF

    broken = post(owner.client, bytes(corrupt), "song.wav").json()
    truncated = post(owner.client, wav[:-100], "song.wav").json()

    assert broken["c2pa"]["state"] == "invalid" and broken["c2pa"]["failures"] == ["manifest.corrupt"]
    assert truncated["c2pa"]["state"] == "invalid" and truncated["c2pa"]["failures"] == ["asset.corrupt"]
    assert broken["c2pa"]["error"] and truncated["c2pa"]["error"]


@pytest.mark.parametrize(
    ("data", "status", "code", "message"),
    [
        (b"", 400, "empty_file", MESSAGE_EMPTY),
        (b"just some notes, not audio" * 10, 400, "not_audio", MESSAGE_NOT_AUDIO),
        (b"OggS\x00\x02" + bytes(200), 400, "unsupported_format", MESSAGE_UNSUPPORTED),
        (b"PK\x03\x04 truncated", 400, "invalid_bundle", None),
    ],
)
def test_bad_uploads_get_a_precise_error(owner, data, status, code, message):
    response = post(owner.client, data, "upload.bin")

    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    if message:
        assert error["message"] == message


def test_ogg_is_unsupported_and_the_error_names_the_supported_formats(owner):
    ogg = reencode(tone(), fmt="ogg", bitrate="96k")

    error = post(owner.client, ogg, "song.ogg").json()["error"]

    assert error["code"] == "unsupported_format"
    assert error["detail"] == {"format": "ogg", "supported": ["wav", "flac", "mp3", "m4a", "zip"]}


def test_huge_upload_is_refused_before_it_is_read(owner, anonymous, settings):
    settings.SIMILARITY_MAX_UPLOAD_BYTES = 1024

    for client, path in ((owner.client, "/api/verify/"), (anonymous, "/api/public/verify/")):
        response = post(client, bytes(4096), path=path)
        assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_no_file_field_is_a_bad_request(owner):
    response = owner.client.post("/api/verify/", {}, format="multipart")

    assert response.status_code == 400


def test_member_endpoint_needs_a_token(anonymous):
    assert post(anonymous, tone()).status_code in (401, 403)


def test_public_endpoint_is_throttled(anonymous, monkeypatch):
    monkeypatch.setattr(PublicVerifyThrottle, "THROTTLE_RATES", {"public_verify": "2/minute"})

    statuses = [post(anonymous, b"", path="/api/public/verify/").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


def test_evidence_bundle_is_verified_with_the_services_keys_pinned(owner, song, exported):
    bundle = owner.client.get(f"/api/works/{song.id}/evidence/").content

    body = post(owner.client, bundle, "evidence.zip").json()

    assert body["input"] == "evidence_bundle" and body["ok"] is True and body["keys_pinned"] is True
    assert any(c["name"].startswith("c2pa[") and c["ok"] for c in body["checks"])


def test_cli_verify_prints_the_same_json_as_the_api_and_exits_by_verdict(owner, exported, tmp_path, capsys):
    _, data = exported
    stripped = tmp_path / "stripped.mp3"
    stripped.write_bytes(reencode(data))
    api = post(owner.client, stripped.read_bytes()).json()

    call_command("verify", str(stripped), "--json")
    assert json.loads(capsys.readouterr().out) == api

    (tmp_path / "tone.wav").write_bytes(tone())
    (tmp_path / "notes.txt").write_bytes(b"not audio at all" * 10)
    for name, status in (("tone.wav", 1), ("notes.txt", 2)):
        with pytest.raises(SystemExit) as exited:
            call_command("verify", str(tmp_path / name), "--json")
        assert exited.value.code == status
    assert '"code": "not_audio"' in capsys.readouterr().out


def test_offline_verifier_checks_one_audio_file_against_the_anchor(exported, tmp_path, capsys):
    from provenance.labels import trust_anchors_pem
    from provenance.verify import main

    _, data = exported
    (tmp_path / "song.flac").write_bytes(data)
    (tmp_path / "anchors.pem").write_bytes(trust_anchors_pem())

    assert (
        main([str(tmp_path / "song.flac"), "--json", "--trust-anchors", str(tmp_path / "anchors.pem")]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["checks"][0] == {"name": "c2pa", "ok": True, "detail": "trusted"}
    (tmp_path / "stripped.mp3").write_bytes(reencode(data))
    assert main([str(tmp_path / "stripped.mp3")]) == 1


def test_exports_index_is_rebuilt_from_the_database(exported):
    export, _ = exported
    index_path().unlink()

    call_command("rebuild_index")

    assert export.index_key in exports_index() and index_path().exists()


def test_the_same_audio_exported_twice_is_recovered_as_the_earliest_export(owner, take, exported):
    first, data = exported
    export_of(owner, take, "wav")  # the same take again: the same audio, the same fingerprint

    body = post(owner.client, reencode(data)).json()

    assert body["match"]["export"] == str(first.id)
