"""Scan pages: upload a zip, verdict counts, drill-down by verdict, CSV; scoped to the organisation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from similarity.models import Scan
from similarity.scans import scan_from_archive, scan_run
from tests.web_rights.conftest import zipped
from web.views.scans import MESSAGE_NOT_ZIP

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(owner, ingested, song):
    archive = zipped({"data/copy.wav": song, "data/broken.wav": b"nope", "README.txt": b"ignored"})
    created = scan_from_archive(organisation=owner.organisation, name="dataset.zip", data=archive)
    return scan_run(scan_id=created.id)


def test_scan_list_shows_verdict_counts_and_links_to_the_drill_down(owner_web, scan):
    html = owner_web.get(reverse("web:scan-list")).content.decode()
    assert "dataset.zip" in html
    assert f"{reverse('web:scan-detail', args=[scan.id])}?verdict=unlicensed_match" in html


def test_scan_page_filters_items_by_verdict_and_shows_errors(owner_web, scan):
    url = reverse("web:scan-detail", args=[scan.id])
    everything = owner_web.get(url).content.decode()
    assert "data/copy.wav" in everything and "data/broken.wav" in everything
    assert "Harbour Lights" in everything  # the best match
    unlicensed = owner_web.get(url, {"verdict": "unlicensed_match"}).content.decode()
    assert "data/copy.wav" in unlicensed and "data/broken.wav" not in unlicensed
    failed = owner_web.get(url, {"verdict": "failed"}).content.decode()
    assert "data/broken.wav" in failed and "data/copy.wav" not in failed
    assert "No item with this verdict" in owner_web.get(url, {"verdict": "licensed"}).content.decode()


def test_scan_csv_is_the_report(owner_web, scan):
    response = owner_web.get(reverse("web:scan-csv", args=[scan.id]))
    assert response["Content-Type"] == "text/csv"
    body = response.content.decode()
    assert body.startswith("path,status,verdict") and "data/copy.wav" in body


def test_uploading_a_zip_starts_a_scan_and_the_page_polls(owner_web, song):
    upload = SimpleUploadedFile("set.zip", zipped({"a.wav": song}), content_type="application/zip")
    response = owner_web.post(reverse("web:scan-list"), {"archive": upload}, follow=True)
    assert response.status_code == 200
    assert Scan.objects.get().items.count() == 1
    assert "refreshes itself" in response.content.decode()


def test_upload_errors_are_shown(owner_web):
    response = owner_web.post(reverse("web:scan-list"), {})
    assert response.status_code == 400 and escape(MESSAGE_NOT_ZIP) in response.content.decode()
    bad = SimpleUploadedFile("set.zip", b"not a zip", content_type="application/zip")
    response = owner_web.post(reverse("web:scan-list"), {"archive": bad})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not Scan.objects.exists()


def test_scan_list_empty_state(owner_web):
    assert "No scan yet" in owner_web.get(reverse("web:scan-list")).content.decode()


def test_outsiders_get_404_and_see_no_scan(outsider, scan):
    from tests.web.conftest import logged_in

    web = logged_in(outsider)
    assert web.get(reverse("web:scan-detail", args=[scan.id])).status_code == 404
    assert web.get(reverse("web:scan-csv", args=[scan.id])).status_code == 404
    assert "dataset.zip" not in web.get(reverse("web:scan-list")).content.decode()


def test_anonymous_visitors_are_sent_to_login(client, scan):
    for url in (reverse("web:scan-list"), reverse("web:scan-csv", args=[scan.id])):
        assert client.get(url)["Location"].startswith(reverse("web:login"))
