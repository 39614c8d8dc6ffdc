"""The creator's workflow through the API: generate, select, edit, export, replay."""

import io
import subprocess

import pytest

from generation.models import Edit, Export, GenerationRequest, Selection, Take
from provenance.models import ContributionEvent

pytestmark = pytest.mark.django_db


def kinds(work):
    return [e.kind for e in ContributionEvent.objects.filter(work=work).order_by("seq")]


@pytest.fixture
def takes(generate, owner):
    response = generate(
        prompt="a slow song about the sea", tags=["folk", "calm"], takes=3, duration_s=8, seed=11
    )
    assert response.status_code == 202, response.content
    polled = owner.client.get(response["Location"]).json()
    assert polled["status"] == "done", polled
    return [Take.objects.get(pk=t["id"]) for t in polled["results"]]


def test_generation_is_accepted_then_done_with_three_recorded_takes(takes, work):
    assert len(takes) == 3
    assert len({t.sha256 for t in takes}) == 3
    assert kinds(work) == ["work.created", "prompt", "parameters", "generation", "check", "check", "check"]
    assert all(t.output_check.verdict == "allow" for t in takes)  # no catalogue exists yet
    generation = ContributionEvent.objects.get(work=work, kind="generation").payload
    assert [t["sha256"] for t in generation["takes"]] == [t.sha256 for t in takes]
    environment = generation["environment"]
    assert {"torch", "cuda", "device", "dtype", "threads", "deterministic"} <= set(environment)
    assert environment["deterministic"] is True and environment["threads"] == 1


def test_the_same_request_and_seed_give_identical_takes_twice(generate, owner, takes):
    again = generate(
        prompt="a slow song about the sea", tags=["folk", "calm"], takes=3, duration_s=8, seed=11
    )

    repeated = owner.client.get(again["Location"]).json()["results"]
    assert [t["sha256"] for t in repeated] == [t.sha256 for t in takes]


def test_a_different_seed_or_tag_gives_different_audio(generate, owner, takes):
    other_seed = generate(tags=["folk", "calm"], takes=1, duration_s=8, seed=12)
    other_tag = generate(tags=["rock", "calm"], takes=1, duration_s=8, seed=11)

    digests = {
        owner.client.get(r["Location"]).json()["results"][0]["sha256"] for r in (other_seed, other_tag)
    }
    assert len(digests | {takes[0].sha256}) == 3


def test_take_audio_downloads_as_wav(takes, owner):
    response = owner.client.get(f"/api/takes/{takes[0].id}/audio/")

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"


def test_selection_records_the_alternatives_not_chosen(takes, owner, work):
    response = owner.client.post(f"/api/takes/{takes[1].id}/select/")

    assert response.status_code == 201
    assert sorted(response.json()["alternatives"]) == sorted(str(t.id) for t in (takes[0], takes[2]))
    event = ContributionEvent.objects.get(work=work, kind="selection")
    assert event.payload == {"chosen": str(takes[1].id), "alternatives": response.json()["alternatives"]}
    assert Selection.objects.get().take == takes[1]


@pytest.mark.parametrize(
    ("operation", "parameters"),
    [
        ("trim", {"start_s": 1.0, "end_s": 5.0}),
        ("fade", {"in_s": 0.5, "out_s": 1.0}),
        ("gain", {"db": -6}),
        ("regenerate", {"start_bar": 1, "end_bar": 2, "seed": 3}),
        ("extend", {"bars": 2, "seed": 4}),
        ("tempo", {"bpm": 80}),
        ("lyrics", {"lyrics": "new words"}),
    ],
)
def test_each_edit_makes_a_new_recorded_take_with_its_parent(takes, owner, work, operation, parameters):
    source = takes[0]

    response = owner.client.post(
        f"/api/takes/{source.id}/edits/", {"operation": operation, "parameters": parameters}, format="json"
    )

    assert response.status_code == 201, response.content
    result = Take.objects.get(pk=response.json()["id"])
    assert result.parent == source and result.id != source.id
    assert Edit.objects.get(result=result).operation == operation
    event = ContributionEvent.objects.filter(work=work, kind="edit").get()
    assert event.payload["source"] == str(source.id) and event.payload["result"] == str(result.id)
    source.refresh_from_db()
    assert source.sha256 == takes[0].sha256  # the source never changes
    if operation == "trim":
        assert result.duration_s == pytest.approx(4.0, abs=1e-3)
    if operation in ("regenerate", "extend", "tempo", "gain", "fade"):
        assert result.sha256 != source.sha256
    if operation == "lyrics":
        assert result.lyrics == "new words" and result.sha256 == source.sha256


def test_replay_of_generated_and_edited_takes_gives_the_same_bytes(takes, owner):
    trimmed = owner.client.post(
        f"/api/takes/{takes[2].id}/edits/", {"operation": "trim", "parameters": {"end_s": 4}}, format="json"
    ).json()
    redrawn = owner.client.post(
        f"/api/takes/{trimmed['id']}/edits/",
        {"operation": "regenerate", "parameters": {"start_bar": 0, "end_bar": 1, "seed": 8}},
        format="json",
    ).json()

    faded = owner.client.post(
        f"/api/takes/{redrawn['id']}/edits/",
        {"operation": "fade", "parameters": {"out_s": 1.5}},
        format="json",
    ).json()
    louder = owner.client.post(
        f"/api/takes/{faded['id']}/edits/", {"operation": "gain", "parameters": {"db": -3.3}}, format="json"
    ).json()

    for take_id in (takes[2].id, trimmed["id"], redrawn["id"], faded["id"], louder["id"]):
        result = owner.client.post(f"/api/takes/{take_id}/replay/").json()
        assert result["identical"] is True, result
        assert result["same_environment"] is True
        assert result["similarity"] == 1.0


def test_replay_reports_similarity_when_bytes_differ(takes, owner, monkeypatch):
    from generation.backends.builtin import BuiltinBackend

    original = BuiltinBackend.render
    monkeypatch.setattr(BuiltinBackend, "render", lambda *a: original(*a) * 0.999)  # as another device would

    result = owner.client.post(f"/api/takes/{takes[0].id}/replay/").json()

    assert result["identical"] is False
    assert result["similarity"] > 0.95


@pytest.mark.parametrize(("fmt", "codec"), [("wav", "pcm_s16le"), ("flac", "flac"), ("mp3", "mp3")])
def test_exports_in_each_format_are_recorded_and_decode(takes, owner, work, fmt, codec):
    response = owner.client.post(f"/api/takes/{takes[0].id}/exports/", {"format": fmt}, format="json")

    assert response.status_code == 201
    download = owner.client.get(response.json()["download_url"])
    data = b"".join(download.streaming_content)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    assert probe.stdout.decode().strip() == codec
    assert ContributionEvent.objects.get(work=work, kind="export").payload["format"] == fmt
    assert Export.objects.get().sha256 == response.json()["sha256"]


def test_evidence_bundle_carries_the_exported_audio(takes, owner, work):
    import zipfile

    owner.client.post(f"/api/takes/{takes[0].id}/exports/", {"format": "flac"}, format="json")
    from tests.provenance.conftest import integrate

    integrate()
    bundle = zipfile.ZipFile(io.BytesIO(owner.client.get(f"/api/works/{work.id}/evidence/").content))

    audio = [name for name in bundle.namelist() if name.startswith("audio/")]
    assert audio == [f"audio/{Export.objects.get().id}.flac"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_workers_a_generation_runs_on_the_gpu_queue(live_worker, owner):
    import time

    from generation.services import generation_request_create, work_create

    work = work_create(organisation=owner.organisation, title="Queued", created_by=owner.membership)
    request = generation_request_create(
        work=work, requested_by=owner.membership, tags=["jazz"], duration_s=4, takes=2
    )

    deadline = time.monotonic() + 60
    while GenerationRequest.objects.get(pk=request.pk).status != "done":
        assert time.monotonic() < deadline, live_worker.log()[-3000:]
        time.sleep(0.2)
    assert Take.objects.filter(request=request).count() == 2
    assert "generation.tasks.generation_run" in live_worker.log()
    assert ContributionEvent.objects.filter(work=work, kind="generation").exists()
