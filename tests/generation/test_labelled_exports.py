"""Every export carries its labels: C2PA manifest, GB 45438-2025 implicit and explicit labels."""

import io
import wave

import numpy as np
import pytest
import torch
from django.core.management import CommandError, call_command

from generation import audio as audio_ops
from generation.models import Export, Take
from generation.services import take_audio
from provenance import aigc, manifests
from provenance.labels import aigc_label_valid, local_pki_paths, trust_anchors_pem
from provenance.models import ContributionEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def take(generate, owner) -> Take:
    response = generate(prompt="a slow song about the sea", tags=["folk"], takes=1, duration_s=8, seed=5)
    assert response.status_code == 202, response.content
    return Take.objects.get(pk=owner.client.get(response["Location"]).json()["results"][0]["id"])


def export(persona, take, **body):
    response = persona.client.post(f"/api/takes/{take.id}/exports/", {"format": "wav"} | body, format="json")
    assert response.status_code == 201, response.content
    saved = Export.objects.get(pk=response.json()["id"])
    with saved.file.open("rb") as handle:
        return saved, handle.read()


def edit(persona, take, operation, **parameters) -> Take:
    body = {"operation": operation, "parameters": parameters}
    response = persona.client.post(f"/api/takes/{take.id}/edits/", body, format="json")
    assert response.status_code == 201, response.content
    return Take.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "m4a"])
def test_every_export_is_signed_and_labelled(fmt, take, owner, work):
    head = ContributionEvent.objects.filter(work=work).order_by("-seq").first()

    saved, data = export(owner, take, format=fmt)

    reading = manifests.read(data, fmt, trust_anchors_pem())
    assert reading.state == "trusted", reading.failures
    assert reading.actions()[0]["digitalSourceType"] == manifests.SOURCE_GENERATED
    record = reading.record()
    assert record["head"] == {"seq": head.seq, "event_hash": head.event_hash, "log_index": head.log_index}
    assert record["export"] == str(saved.id) and record["take"] == str(take.id)
    assert reading.soft_binding()["alg"] == manifests.SOFT_BINDING_ALG
    label = aigc.extract(data, fmt)
    assert label == reading.aigc() and label["ProduceID"] == str(saved.id)
    assert aigc_label_valid(label)
    assert not aigc_label_valid(label | {"ProduceID": "someone-else"})


def test_the_export_event_records_the_signed_file_and_follows_the_named_head(take, owner, work):
    saved, data = export(owner, take, format="flac")

    event = ContributionEvent.objects.get(work=work, kind="export")
    import hashlib

    assert event.payload["sha256"] == saved.sha256 == hashlib.sha256(data).hexdigest()
    named = manifests.read(data, "flac").record()["head"]
    assert event.seq == named["seq"] + 1 and event.prev_hash == named["event_hash"]


def test_soft_binding_is_the_chromaprint_of_the_exported_audio(take, owner):
    import base64

    from similarity.fingerprint import fingerprint

    _, data = export(owner, take, format="wav")

    carried = np.frombuffer(base64.b64decode(manifests.read(data, "wav").soft_binding()["value"]), "<u4")
    decoded = fingerprint(data).values
    n = min(carried.size, decoded.size)
    assert n > 20
    assert np.unpackbits((carried[:n] ^ decoded[:n]).view(np.uint8)).mean() < 0.1


def test_an_edit_of_an_exported_take_chains_to_that_export(take, owner):
    parent_export, parent_data = export(owner, take, format="flac")
    faded = edit(owner, take, "fade", in_s=0.5)

    _, data = export(owner, faded, format="mp3")

    reading = manifests.read(data, "mp3", trust_anchors_pem())
    assert reading.state == "trusted"
    assert [a["action"] for a in reading.actions()] == ["c2pa.opened", "c2pa.edited"]
    assert reading.actions()[1]["description"] == "fade (in_s 0.5, out_s 0.0)"
    [ingredient] = reading.ingredients()
    assert ingredient.relationship == "parentOf" and ingredient.title == f"{parent_export.id}.flac"
    _, older = reading.chain()
    assert older == manifests.read(parent_data, "flac").active_manifest
    assert reading.record(older)["export"] == str(parent_export.id)


def test_an_edit_of_a_never_exported_take_still_chains_every_edit(take, owner):
    gained = edit(owner, take, "gain", db=-3)
    trimmed = edit(owner, gained, "trim", start_s=1, end_s=6)

    _, data = export(owner, trimmed, format="wav")

    reading = manifests.read(data, "wav", trust_anchors_pem())
    chain = reading.chain()
    assert len(chain) == 3
    assert [reading.actions(label)[-1]["action"] for label in chain] == [
        "c2pa.edited",
        "c2pa.edited",
        "c2pa.created",
    ]
    assert [reading.record(label)["take"] for label in chain] == [
        str(trimmed.id),
        str(gained.id),
        str(take.id),
    ]
    assert Export.objects.count() == 1  # the ancestors were signed in memory, not exported


def _read_wav(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data), "rb") as source:
        frames = source.readframes(source.getnframes())
    return np.frombuffer(frames, "<i2").reshape(-1, 2).astype(np.float64) / 32767


def _cue_energy(samples: np.ndarray) -> float:
    """Share of the signal's energy at the cue's 800 Hz."""
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1 / 44_100)
    band = (freqs > audio_ops.CUE_HZ - 20) & (freqs < audio_ops.CUE_HZ + 20)
    return float(spectrum[band].sum() / spectrum.sum())


@pytest.mark.parametrize("position", ["start", "middle", "end"])
def test_the_explicit_label_cue_is_mixed_in_where_asked(position, take, owner):
    _, data = export(owner, take, explicit_label=position)

    exported = _read_wav(data)[:, 0]
    original = take_audio(take)[0].numpy().astype(np.float64)
    start = round(audio_ops.cue_start_s(take.duration_s, position) * 44_100)
    cue = audio_ops.label_cue().numpy().astype(np.float64)
    changed = np.flatnonzero(np.abs(exported - original) > 2 / 32767)
    assert start <= changed.min() and changed.max() < start + cue.size
    # The music is ducked under the cue: what is left after taking it out is the cue itself.
    recovered = (
        exported[start : start + cue.size] - (1 - audio_ops.CUE_LEVEL) * original[start : start + cue.size]
    )
    assert np.abs(recovered - cue).max() < 2e-4
    assert _cue_energy(recovered) > 0.9
    payload = ContributionEvent.objects.get(kind="export").payload
    assert payload["explicit_label"] == position
    assert "explicit AI-generated audio label" in manifests.read(data, "wav").actions()[-1]["description"]


def test_the_cue_has_the_short_long_short_short_rhythm():
    cue = audio_ops.label_cue().numpy()
    on = np.abs(cue) > 0.01
    frames = on[: on.size // 441 * 441].reshape(-1, 441).any(axis=1)  # 10-ms frames
    edges = np.flatnonzero(np.diff(np.concatenate([[0], frames.astype(int), [0]])))
    lengths = (edges[1::2] - edges[::2]) * 10

    assert list(lengths) == [100, 300, 100, 100]
    assert torch.equal(audio_ops.label_cue(), audio_ops.label_cue())


def test_an_unknown_explicit_label_position_is_refused_with_a_code(take, owner):
    response = owner.client.post(
        f"/api/takes/{take.id}/exports/", {"format": "wav", "explicit_label": "chorus"}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["detail"]["explicit_label"][0]["code"] == "invalid_choice"
    assert not Export.objects.exists()


def test_the_service_refuses_an_unknown_position_too(take, owner):
    from generation.exports import MESSAGE_EXPLICIT_LABEL, ExplicitLabelError, take_export

    with pytest.raises(ExplicitLabelError) as refused:
        take_export(take=take, fmt="wav", exported_by=owner.membership, explicit_label="chorus")

    assert refused.value.code == "invalid_explicit_label" and refused.value.message == MESSAGE_EXPLICIT_LABEL


def test_work_training_use_is_stated_in_the_manifest(owner, django_capture_on_commit_callbacks):
    response = owner.client.post("/api/works/", {"title": "Open", "training_use": "allowed"}, format="json")
    assert response.status_code == 201 and response.json()["training_use"] == "allowed"
    body = {"tags": ["jazz"], "duration_s": 5, "seed": 1}
    with django_capture_on_commit_callbacks(execute=True):
        queued = owner.client.post(f"/api/works/{response.json()['id']}/generations/", body, format="json")
    take = Take.objects.get(request_id=queued.json()["id"])

    _, data = export(owner, take)

    entries = manifests.read(data, "wav").assertion("cawg.training-mining")["entries"]
    assert {entry["use"] for entry in entries.values()} == {"allowed"}


def test_init_pki_refuses_to_overwrite_unless_forced(capsys):
    paths = local_pki_paths()
    if not paths.exist():
        call_command("init_pki")
    before = paths.anchors.read_bytes()

    with pytest.raises(CommandError, match="--force"):
        call_command("init_pki")
    assert paths.anchors.read_bytes() == before
    capsys.readouterr()
    call_command("init_pki", "--force")

    assert capsys.readouterr().out.strip() == str(paths.anchors)
    assert paths.anchors.read_bytes() != before
