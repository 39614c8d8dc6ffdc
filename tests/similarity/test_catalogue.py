"""Catalogues through the CLI contract and the API: ingest, match, rebuild, isolation."""

import json

import pytest
from django.core.management import CommandError, call_command

from accounts.roles import OrganisationKind, Role
from similarity.catalogue_index import index_path
from similarity.models import Catalogue, Recording
from tests.accounts.factories import OrganisationFactory
from tests.conftest import make_persona
from tests.similarity.conftest import excerpt, track

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def label(db):
    organisation = OrganisationFactory(
        slug="northwind", name="Northwind", kind=OrganisationKind.RIGHTS_HOLDER
    )
    return make_persona(organisation=organisation, role=Role.OWNER, username="nora")


@pytest.fixture
def folder(tmp_path, catalogue):
    root = tmp_path / "masters"
    (root / "album").mkdir(parents=True)
    for number in (1, 2, 3):
        (root / "album" / f"track-{number}.wav").write_bytes(catalogue[number])
    (root / "single.wav").write_bytes(catalogue[4])
    (root / "album" / "copy-of-1.wav").write_bytes(catalogue[1])  # same audio: skipped
    (root / "notes.wav").write_bytes(b"these are liner notes, not audio")
    (root / "cut.wav").write_bytes(catalogue[5][:3000])  # truncated
    (root / "cover.jpg").write_bytes(b"\xff\xd8 not considered")
    return root


def ingest(capsys, *args):
    call_command("ingest_catalogue", *args, "--json")
    return json.loads(capsys.readouterr().out)


def test_ingest_a_folder_reports_ingested_skipped_and_failed(label, folder, capsys):
    report = ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(folder))

    assert report["catalogue"] == "Masters"
    assert (report["ingested"], report["skipped"]) == (4, 1)
    assert {f["path"] for f in report["failed"]} == {"notes.wav", "cut.wav"}
    assert all(f["error"] for f in report["failed"])
    # Files are taken in path order: the copy comes first, so the original is the one skipped.
    assert set(Recording.objects.values_list("source_path", flat=True)) == {
        "album/copy-of-1.wav",
        "album/track-2.wav",
        "album/track-3.wav",
        "single.wav",
    }


def test_ingesting_again_changes_nothing(label, folder, capsys):
    ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(folder))

    again = ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(folder))

    assert (again["ingested"], again["skipped"]) == (0, 5)
    assert Recording.objects.count() == 4


def test_ingest_a_csv_manifest_with_metadata(label, folder, capsys, tmp_path):
    manifest = folder / "manifest.csv"
    manifest.write_text(
        "path,title,artists,isrc\nalbum/track-2.wav,Low Tide,The Gulls,GBAYE2400001\nmissing.wav,,,\n"
    )

    report = ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(manifest))

    assert report["ingested"] == 1
    assert report["failed"][0]["path"] == "missing.wav"
    recording = Recording.objects.get()
    assert (recording.title, recording.artists, recording.isrc) == ("Low Tide", "The Gulls", "GBAYE2400001")


def test_only_rights_holders_own_catalogues(owner, folder):
    with pytest.raises(CommandError, match="Only rights-holder organisations own catalogues"):
        call_command("ingest_catalogue", "--org", owner.organisation.slug, "--catalogue", "Mine", str(folder))
    assert not Catalogue.objects.exists()


def test_match_cli_finds_an_excerpt_with_offsets(label, folder, capsys, tmp_path, catalogue):
    ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(folder))
    query = tmp_path / "query.mp3"
    query.write_bytes(excerpt(catalogue[2], 18, 10))
    unrelated = tmp_path / "unrelated.wav"
    unrelated.write_bytes(excerpt(track(("jazz",), seed=777, seconds=20), 5, 10))

    call_command("match", str(query), str(unrelated), "--json")
    results = json.loads(capsys.readouterr().out)

    assert [r["path"] for r in results] == [str(query), str(unrelated)]
    best = results[0]["matches"][0]
    assert set(best) == {
        "recording_id",
        "source_path",
        "title",
        "isrc",
        "score",
        "query_start_s",
        "reference_start_s",
        "duration_s",
    }
    assert best["source_path"] == "album/track-2.wav"
    assert best["reference_start_s"] == pytest.approx(18, abs=0.6)
    assert results[0]["duration_s"] == pytest.approx(10, abs=0.1)
    assert results[1]["matches"] == []


def test_a_lost_index_file_is_rebuilt_from_the_database(label, folder, capsys, tmp_path, catalogue):
    ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(folder))
    index_path(Catalogue.objects.get()).unlink()
    query = tmp_path / "q.wav"
    query.write_bytes(excerpt(catalogue[3], 5, 10))

    call_command("rebuild_index")
    assert "northwind/Masters: 4 recordings" in capsys.readouterr().out
    call_command("match", str(query), "--json")

    assert json.loads(capsys.readouterr().out)[0]["matches"][0]["source_path"] == "album/track-3.wav"


def test_match_api_searches_your_own_catalogues(label, folder, capsys, catalogue, outsider):
    ingest(capsys, "--org", "northwind", "--catalogue", "Masters", str(folder))
    upload = {"file": ("query.wav", excerpt(catalogue[4], 10, 10), "audio/wav")}

    mine = label.client.post("/api/match/", {"file": _file(*upload["file"])}, format="multipart")
    theirs = outsider.client.post("/api/match/", {"file": _file(*upload["file"])}, format="multipart")

    assert mine.status_code == 200
    assert mine.json()["matches"][0]["source_path"] == "single.wav"
    assert theirs.status_code == 200 and theirs.json()["matches"] == []
    assert outsider.client.get("/api/catalogues/").json()["results"] == []
    assert label.client.get("/api/catalogues/").json()["results"][0]["recordings"] == 4


def _file(name, data, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"file": ("notes.wav", b"not audio", "audio/wav")}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_match_api_refuses_bad_uploads(label, body, status, code):
    data = {name: _file(*value) for name, value in body.items()}

    response = label.client.post("/api/match/", data, format="multipart")

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_match_api_refuses_a_huge_upload_before_reading_it(label, settings, catalogue):
    settings.SIMILARITY_MAX_UPLOAD_BYTES = 10_000

    response = label.client.post(
        "/api/match/", {"file": _file("big.wav", catalogue[1], "audio/wav")}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_ingest_queue_hands_the_folder_to_the_workers(
    label, folder, capsys, django_capture_on_commit_callbacks
):
    from similarity.models import Ingestion

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "ingest_catalogue", "--org", "northwind", "--catalogue", "Masters", str(folder), "--queue"
        )

    assert "queued: 7 files" in capsys.readouterr().out
    ingestion = Ingestion.objects.get()
    assert ingestion.status == "done"
    assert Recording.objects.filter(catalogue=ingestion.catalogue).count() == 4
