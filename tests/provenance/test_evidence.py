"""Evidence bundles verify offline, and every kind of tampering fails a named check."""

import base64
import io
import json
import subprocess
import sys
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from provenance import manifests
from provenance.bundle import read_bundle
from provenance.canonical import canonicalize
from provenance.evidence import AudioFile, evidence_bundle_build
from provenance.verify import verify_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def audio(work) -> AudioFile:
    """A WAV with a C2PA manifest signed by the configured (local) PKI, as exports have."""
    import torch

    from generation.synth import wav_bytes
    from provenance.labels import signing_credentials

    tone = 0.3 * torch.sin(torch.arange(44_100 * 2) * (2 * torch.pi * 440 / 44_100)).repeat(2, 1)
    claim = manifests.Claim(
        title="take 1", software_agent={"name": "SongProof builtin", "version": "1"}, record={}
    )
    return AudioFile("take-1.wav", manifests.sign(wav_bytes(tone), "wav", claim, signing_credentials()))


@pytest.fixture
def bundle(work, audio) -> dict[str, bytes]:
    return read_bundle(evidence_bundle_build(work=work, audio=[audio]))


def failed(files, trusted=None) -> set[str]:
    report = verify_bundle(files, trusted)
    assert not report.ok
    return {check.name for check in report.checks if not check.ok}


def with_statement(files, change) -> dict[str, bytes]:
    envelope = json.loads(files["record.dsse.json"])
    statement = json.loads(base64.b64decode(envelope["payload"]))
    change(statement)
    envelope["payload"] = base64.b64encode(canonicalize(statement)).decode()
    return files | {"record.dsse.json": json.dumps(envelope).encode()}


def flip(data: bytes, position: int = -1) -> bytes:
    return data[:position] + bytes([data[position] ^ 1]) + (data[position + 1 :] if position != -1 else b"")


def test_an_untouched_bundle_verifies_every_check(bundle):
    report = verify_bundle(bundle)

    assert report.ok, [c for c in report.checks if not c.ok]
    names = {check.name for check in report.checks}
    assert {"dsse.signature", "events.hash", "events.signature", "events.chain", "events.inclusion"} <= names
    assert {
        "checkpoint.signature",
        "subject[audio/take-1.wav]",
        "c2pa[audio/take-1.wav]",
        "subject[report.html]",
        "manifest.files",
    } <= names
    assert report.keys_pinned is False


def test_bundle_lays_out_the_contract(bundle, work):
    manifest = json.loads(bundle["manifest.json"])
    statement = json.loads(base64.b64decode(json.loads(bundle["record.dsse.json"])["payload"]))

    assert manifest["format"] == "songproof-evidence/1"
    assert {f["path"] for f in manifest["files"]} == set(bundle) - {"manifest.json"}
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert [e["seq"] for e in statement["predicate"]["events"]] == [1, 2, 3]
    proofs = json.loads(bundle["log/proofs.json"])
    assert {p["event_hash"] for p in proofs} == {e["event_hash"] for e in statement["predicate"]["events"]}
    assert b"Wrote the chorus by hand." in bundle["report.html"]
    assert b"ben" in bundle["report.html"]


def test_a_changed_event_payload_fails_its_hash(bundle):
    tampered = with_statement(
        bundle, lambda s: s["predicate"]["events"][1]["payload"].update(text="Wrote it all.")
    )

    assert {"event[2].hash", "dsse.signature"} <= failed(tampered)


def test_a_changed_event_signature_fails(bundle):
    def change(statement):
        event = statement["predicate"]["events"][0]
        event["signature"] = base64.b64encode(flip(base64.b64decode(event["signature"]), 5)).decode()

    assert "event[1].signature" in failed(with_statement(bundle, change))


def test_a_changed_audit_path_hash_fails_inclusion(bundle):
    proofs = json.loads(bundle["log/proofs.json"])
    proofs[2]["audit_path"][0] = flip(bytes.fromhex(proofs[2]["audit_path"][0]), 0).hex()

    assert "event[3].inclusion" in failed(bundle | {"log/proofs.json": json.dumps(proofs).encode()})


def test_a_changed_checkpoint_root_fails_its_signature(bundle):
    origin, size, root, *rest = bundle["log/checkpoint.txt"].decode().split("\n")
    forged_root = base64.b64encode(flip(base64.b64decode(root), 0)).decode()
    forged = "\n".join([origin, size, forged_root, *rest]).encode()

    assert "checkpoint.signature" in failed(bundle | {"log/checkpoint.txt": forged})


def test_a_changed_audio_byte_fails_its_subject_and_its_c2pa_manifest(bundle):
    name = "audio/take-1.wav"

    tampered = bundle | {name: flip(bundle[name], 10_000)}

    assert {f"subject[{name}]", f"c2pa[{name}]"} <= failed(tampered)
    [check] = [c for c in verify_bundle(tampered).checks if c.name == f"c2pa[{name}]"]
    assert check.detail == "invalid: assertion.dataHash.mismatch"


def test_the_c2pa_check_reads_trusted_against_the_bundled_anchor(bundle):
    [check] = [c for c in verify_bundle(bundle).checks if c.name == "c2pa[audio/take-1.wav]"]

    assert check.ok and check.detail == "trusted"
    assert bundle["keys/c2pa-anchors.pem"].startswith(b"-----BEGIN CERTIFICATE-----")


def test_audio_signed_under_another_anchor_fails_the_c2pa_check(bundle, tmp_path):
    from provenance import pki

    other = pki.pki_create(tmp_path / "other", kek=bytes(32))

    check = "c2pa[audio/take-1.wav]"
    assert check in failed(bundle | {"keys/c2pa-anchors.pem": other.anchors.read_bytes()})


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda events: events.pop(1), "event[2].chain"),
        (lambda events: events.insert(0, events.pop(1)), "event[1].chain"),
        (lambda events: events.insert(2, dict(events[1])), "event[3].chain"),
    ],
    ids=["dropped", "reordered", "duplicated"],
)
def test_dropped_reordered_or_duplicated_events_break_the_chain(bundle, change, check):
    tampered = with_statement(bundle, lambda s: change(s["predicate"]["events"]))

    assert check in failed(tampered)


def test_a_substituted_record_key_fails_every_signature(bundle):
    intruder = Ed25519PrivateKey.generate().public_key()
    pem = intruder.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    names = failed(bundle | {"keys/record.pem": pem})

    assert "dsse.signature" in names


def test_pinned_keys_must_include_every_key_in_the_bundle(bundle, work):
    from provenance.models import SigningKey

    published = {bytes(k.public_key) for k in SigningKey.objects.all()}
    report = verify_bundle(bundle, trusted=published)
    assert report.ok and report.keys_pinned

    stranger = {bytes(32)}
    assert "keys.pinned" in failed(bundle, trusted=stranger)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_cli_verifies_a_bundle_with_pinned_keys_and_exits_zero(bundle, tmp_path, anonymous):
    path, keys = tmp_path / "evidence.zip", tmp_path / "keys.json"
    path.write_bytes(_zip(bundle))
    keys.write_bytes(anonymous.get("/api/keys/").content)

    result = subprocess.run(
        [sys.executable, "-m", "provenance.verify", str(path), "--json", "--trust", str(keys)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},  # no Django settings, no database
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["keys_pinned"] is True


def test_cli_names_the_failed_check_and_exits_one(bundle, tmp_path):
    path = tmp_path / "evidence.zip"
    path.write_bytes(_zip(bundle | {"audio/take-1.wav": b"RIFF but different"}))

    result = subprocess.run(
        [sys.executable, "-m", "provenance.verify", str(path)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert "FAIL  subject[audio/take-1.wav]" in result.stdout
    assert result.stdout.rstrip().endswith("NOT VERIFIED")
