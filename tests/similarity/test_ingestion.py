"""Catalogue ingestion by API upload: chunked, resumable, with progress; and isolation."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import OrganisationKind, Role
from similarity.ingestion import ingestion_create, ingestion_process_chunk, ingestion_report
from similarity.models import Catalogue, Ingestion, IngestionItem, Recording
from similarity.services import IngestItem, catalogue_create
from tests.accounts.factories import OrganisationFactory
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def label(db):
    organisation = OrganisationFactory(slug="northwind", kind=OrganisationKind.RIGHTS_HOLDER)
    return make_persona(organisation=organisation, role=Role.OWNER, username="nora")


@pytest.fixture
def other_label(db):
    organisation = OrganisationFactory(slug="southwind", kind=OrganisationKind.RIGHTS_HOLDER)
    return make_persona(organisation=organisation, role=Role.OWNER, username="sam")


@pytest.fixture
def masters(label):
    return catalogue_create(organisation=label.membership.organisation, name="Masters")


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """POST files to a catalogue; the queued ingestion runs (eagerly) when the upload commits."""

    def post(persona, catalogue, data):
        with django_capture_on_commit_callbacks(execute=True):
            return persona.client.post(f"/api/catalogues/{catalogue.id}/ingestions/", data)

    return post


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_rights_holder_creates_a_catalogue_once(label):
    response = label.client.post("/api/catalogues/", {"name": "Masters", "tdm_reserved": True}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["recordings"] == 0
    assert Catalogue.objects.get(id=response.json()["id"]).tdm_reserved is True
    again = label.client.post("/api/catalogues/", {"name": "Masters"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "catalogue_exists"


def test_only_rights_holders_create_catalogues(owner):
    response = owner.client.post("/api/catalogues/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_rights_holder"
    assert not Catalogue.objects.exists()


def test_an_auditor_cannot_upload_recordings(label, masters, catalogue):
    auditor = make_persona(organisation=label.membership.organisation, role=Role.AUDITOR, username="audrey")

    response = auditor.client.post(
        f"/api/catalogues/{masters.id}/ingestions/", {"file": _upload("a.wav", catalogue[1])}
    )

    assert response.status_code == 403
    assert not Recording.objects.exists()


def test_uploaded_files_are_ingested_with_progress_and_failures_named(label, masters, catalogue, upload):
    files = [
        _upload("one.wav", catalogue[1]),
        _upload("two.wav", catalogue[2]),
        _upload("again.wav", catalogue[1]),
        _upload("notes.wav", b"liner notes, not audio"),
    ]

    response = upload(label, masters, {"file": files})

    assert response.status_code == 202, response.json()
    ingestion = label.client.get(f"/api/ingestions/{response.json()['id']}/").json()
    assert ingestion["status"] == "done" and ingestion["progress"] == 1.0
    assert ingestion["counts"] == {"pending": 0, "ingested": 2, "skipped": 1, "failed": 1}
    assert [f["path"] for f in ingestion["failed"]] == ["notes.wav"]
    assert ingestion["failed"][0]["error"]
    recordings = label.client.get(f"/api/catalogues/{masters.id}/recordings/").json()["results"]
    assert sorted(r["source_path"] for r in recordings) == ["again.wav", "two.wav"]


def test_a_zip_with_a_manifest_names_its_recordings(label, masters, catalogue, upload):
    manifest = b"path,title,artists,isrc\nalbum/a.wav,First Light,The Winds,GBAYE2600001\n"
    archive = _zip({"album/a.wav": catalogue[3], "manifest.csv": manifest, "cover.jpg": b"\xff\xd8"})

    response = upload(label, masters, {"archive": _upload("release.zip", archive)})

    assert response.status_code == 202, response.json()
    recording = Recording.objects.get(catalogue=masters)
    assert (recording.title, recording.artists, recording.isrc) == (
        "First Light",
        "The Winds",
        "GBAYE2600001",
    )
    assert recording.source_path == "album/a.wav"


@pytest.mark.parametrize(
    ("archive", "code"),
    [
        (_zip({"../escape.wav": b"RIFF"}), "invalid"),
        (_zip({"readme.txt": b"no audio here"}), "invalid"),
        (b"PK\x03\x04 truncated", "invalid"),
    ],
)
def test_bad_archives_are_refused_and_nothing_is_stored(label, masters, archive, code):
    response = label.client.post(
        f"/api/catalogues/{masters.id}/ingestions/", {"archive": _upload("bad.zip", archive)}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Ingestion.objects.exists()


def test_a_huge_upload_is_refused_before_it_is_read(label, masters, settings):
    settings.SIMILARITY_MAX_UPLOAD_BYTES = 1000

    response = label.client.post(
        f"/api/catalogues/{masters.id}/ingestions/", {"file": _upload("big.wav", b"\0" * 5000)}
    )

    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_another_organisation_sees_none_of_a_catalogue(label, other_label, masters, catalogue, upload):
    ingestion_id = upload(label, masters, {"file": _upload("a.wav", catalogue[1])}).json()["id"]

    assert other_label.client.get("/api/catalogues/").json()["results"] == []
    for path in (
        f"/api/catalogues/{masters.id}/",
        f"/api/catalogues/{masters.id}/recordings/",
        f"/api/catalogues/{masters.id}/ingestions/",
        f"/api/ingestions/{ingestion_id}/",
    ):
        assert other_label.client.get(path).status_code == 404, path
    sneaky = other_label.client.post(
        f"/api/catalogues/{masters.id}/ingestions/", {"file": _upload("b.wav", catalogue[2])}
    )
    assert sneaky.status_code == 404
    assert Recording.objects.filter(catalogue=masters).count() == 1


def test_an_interrupted_ingestion_resumes_and_stores_nothing_twice(masters, catalogue, tmp_path):
    items = []
    for number in (1, 2, 3, 4, 1):
        path = tmp_path / f"{len(items)}.wav"
        path.write_bytes(catalogue[number])
        items.append(IngestItem(path, path.name))
    ingestion = ingestion_create(catalogue=masters, source="folder", items=items, queue=False)

    assert ingestion_process_chunk(ingestion_id=ingestion.id, size=2) is True  # then the worker "dies"
    first = dict(IngestionItem.objects.exclude(status="pending").values_list("id", "recording_id"))
    # The lost message is delivered again, to a worker that starts on the same items.
    IngestionItem.objects.filter(id__in=first).update(status="pending")
    while ingestion_process_chunk(ingestion_id=ingestion.id, size=2):
        pass

    report = ingestion_report(Ingestion.objects.get(id=ingestion.id))
    assert report["status"] == "done"
    assert (report["ingested"], report["skipped"], report["failed"]) == (2, 3, [])
    assert Recording.objects.filter(catalogue=masters).count() == 4
    for item in IngestionItem.objects.filter(id__in=first):  # the redo found the same recordings
        assert item.recording_id == first[item.id]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_workers_an_upload_is_ingested_in_chunks(live_worker, label, catalogue):
    masters = catalogue_create(organisation=label.membership.organisation, name="Masters")
    files = [_upload(f"{n}.wav", catalogue[n]) for n in (1, 2, 3, 4, 5)]

    response = label.client.post(f"/api/catalogues/{masters.id}/ingestions/", {"file": files})

    assert response.status_code == 202
    deadline = time.monotonic() + 120
    while (status := label.client.get(f"/api/ingestions/{response.json()['id']}/").json())[
        "status"
    ] != "done":
        assert time.monotonic() < deadline, live_worker.log()[-3000:]
        time.sleep(0.2)
    assert status["counts"]["ingested"] == 5 and status["progress"] == 1.0
    assert "similarity.tasks.ingestion_process" in live_worker.log()


def test_a_malformed_isrc_in_the_manifest_fails_its_item_only(label, masters, catalogue, upload):
    manifest = b"path,title,isrc\na.wav,Good,gb-aye-26-00002\nb.wav,Bad,NOT-AN-ISRC\n"
    archive = _zip({"a.wav": catalogue[1], "b.wav": catalogue[2], "manifest.csv": manifest})

    ingestion = upload(label, masters, {"archive": _upload("release.zip", archive)}).json()

    assert Recording.objects.get(catalogue=masters).isrc == "GBAYE2600002"  # normalised
    report = label.client.get(f"/api/ingestions/{ingestion['id']}/").json()
    assert report["counts"]["failed"] == 1
    assert report["failed"][0]["path"] == "b.wav" and "ISRC" in report["failed"][0]["error"]
