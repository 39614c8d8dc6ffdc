"""Training-data scans: verdicts per item, chunked and resumable, by CLI and API."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from accounts.roles import OrganisationKind
from similarity.ingestion import catalogue_ingest
from similarity.models import Scan, ScanItem
from similarity.scans import scan_create, scan_process_chunk
from similarity.services import IngestItem, catalogue_get_or_create, ingest_items
from tests.accounts.factories import OrganisationFactory
from tests.similarity.conftest import excerpt, track

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _catalogue(slug, catalogue, numbers, tmp_path, **flags):
    label = OrganisationFactory(slug=slug, kind=OrganisationKind.RIGHTS_HOLDER)
    entry = catalogue_get_or_create(
        organisation=label, name="Masters", **{k: v for k, v in flags.items() if k == "training_allowed"}
    )
    entry.tdm_reserved = flags.get("tdm_reserved", False)
    entry.save()
    items = []
    for number in numbers:
        path = tmp_path / f"{slug}-{number}.wav"
        path.write_bytes(catalogue[number])
        items.append(IngestItem(path, path.name, {"title": f"Track {number}"}))
    catalogue_ingest(catalogue=entry, items=items)


@pytest.fixture
def labels(catalogue, tmp_path):
    _catalogue("closed-label", catalogue, [1, 2], tmp_path)
    _catalogue("open-label", catalogue, [3], tmp_path, training_allowed=True)
    _catalogue("reserved-label", catalogue, [4], tmp_path, tdm_reserved=True)


@pytest.fixture
def dataset(tmp_path, catalogue):
    root = tmp_path / "dataset"
    root.mkdir()
    (root / "a.wav").write_bytes(excerpt(catalogue[1], 10, 10))
    (root / "b.mp3").write_bytes(excerpt(catalogue[3], 5, 10))
    (root / "c.wav").write_bytes(excerpt(catalogue[4], 20, 10))
    (root / "d.wav").write_bytes(excerpt(track(("folk",), seed=4242, seconds=20), 4, 10))
    (root / "e.wav").write_bytes(b"not audio")
    return root


EXPECTED = {
    "a.wav": "unlicensed_match",
    "b.mp3": "licensed",
    "c.wav": "opted_out",
    "d.wav": "no_match",
    "e.wav": "",
}


def test_cli_scan_gives_each_item_its_verdict(labels, dataset, owner, capsys):
    call_command("scan_training_data", "--org", owner.organisation.slug, str(dataset), "--json")
    result = json.loads(capsys.readouterr().out)

    assert {row["path"]: row["verdict"] for row in result["items"]} == EXPECTED
    failed = next(row for row in result["items"] if row["path"] == "e.wav")
    assert failed["status"] == "failed" and "not decodable" in failed["error"]
    assert result["counts"] == {
        "licensed": 1,
        "unlicensed_match": 1,
        "opted_out": 1,
        "no_match": 1,
        "failed": 1,
        "pending": 0,
    }
    unlicensed = next(row for row in result["items"] if row["path"] == "a.wav")
    assert unlicensed["best_match"] == "Track 1" and unlicensed["catalogue"] == "Masters"


def test_a_scan_resumes_where_it_stopped_and_does_no_item_twice(labels, dataset, owner):
    scan = scan_create(
        organisation=owner.organisation, source="dataset", items=ingest_items(dataset), queue=False
    )

    assert scan_process_chunk(scan_id=scan.id, size=2) is True  # then the worker "dies"
    done_first = {i.id: i.matches for i in ScanItem.objects.filter(scan=scan).exclude(status="pending")}
    while scan_process_chunk(scan_id=scan.id, size=2):
        pass

    scan.refresh_from_db()
    assert scan.status == "done" and len(done_first) == 2
    for item in ScanItem.objects.filter(id__in=done_first):
        assert item.matches == done_first[item.id]
    assert not ScanItem.objects.filter(scan=scan, status="pending").exists()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def _archive(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("dataset.zip", data, content_type="application/zip")


def test_api_scan_of_an_uploaded_archive_with_json_and_csv_reports(
    labels, dataset, owner, outsider, django_capture_on_commit_callbacks
):
    archive = _zip(
        {f"songs/{p.name}": p.read_bytes() for p in dataset.iterdir()} | {"README.txt": b"ignored"}
    )

    with django_capture_on_commit_callbacks(execute=True):  # the queued scan runs at commit
        response = owner.client.post("/api/scans/", {"archive": _archive(archive)}, format="multipart")

    assert response.status_code == 202
    scan_id = response.json()["id"]
    detail = owner.client.get(f"/api/scans/{scan_id}/").json()
    assert detail["status"] == "done" and detail["progress"] == 1.0
    report = owner.client.get(f"/api/scans/{scan_id}/report/").json()
    assert {row["path"]: row["verdict"] for row in report["items"]} == {
        f"songs/{k}": v for k, v in EXPECTED.items()
    }
    csv_rows = list(
        csv.DictReader(
            io.StringIO(owner.client.get(f"/api/scans/{scan_id}/report/?type=csv").content.decode())
        )
    )
    assert {row["path"]: row["verdict"] for row in csv_rows} == {f"songs/{k}": v for k, v in EXPECTED.items()}
    assert outsider.client.get(f"/api/scans/{scan_id}/").status_code == 404
    assert outsider.client.get(f"/api/scans/{scan_id}/report/").status_code == 404
    assert outsider.client.get("/api/scans/").json()["results"] == []


@pytest.mark.parametrize(
    ("archive", "message"),
    [(b"not a zip", "not a zip archive"), (_zip({"../evil.wav": b"x"}), "unsafe member path")],
)
def test_api_refuses_bad_archives_and_creates_no_scan(owner, archive, message):
    response = owner.client.post("/api/scans/", {"archive": _archive(archive)}, format="multipart")

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Scan.objects.exists()
