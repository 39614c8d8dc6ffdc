"""Catalogue pages: list with ingestion progress, catalogue with recordings and uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from similarity.models import Ingestion
from web.views.rights import MESSAGE_CHOOSE_AUDIO

pytestmark = pytest.mark.django_db


def test_catalogue_list_shows_recordings_and_the_latest_ingestion_with_progress(label_web, masters, ingested):
    response = label_web.get(reverse("web:catalogue-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbour Masters" in html
    assert '<progress id="progress-' in html and 'value="1.0"' in html
    assert "1 ingested" in html and "1 failed" in html


def test_catalogue_list_empty_state(label_web):
    response = label_web.get(reverse("web:catalogue-list"))
    assert "No catalogues yet" in response.content.decode()


def test_catalogue_page_lists_recordings_ingestions_and_failures(label_web, masters, ingested):
    html = label_web.get(reverse("web:catalogue-detail", args=[masters.id])).content.decode()
    assert "Harbour Lights" in html and "harbour.wav" in html
    assert "see the failures" in html
    detail = label_web.get(reverse("web:ingestion-detail", args=[ingested.id])).content.decode()
    assert "broken.wav" in detail and '<h2 id="failures">Failures</h2>' in detail


def test_upload_starts_an_ingestion_shown_with_progress_and_polling(label_web, masters, song):
    upload = SimpleUploadedFile("new.wav", song, content_type="audio/wav")
    response = label_web.post(
        reverse("web:catalogue-detail", args=[masters.id]), {"file": [upload]}, follow=True
    )
    assert response.status_code == 200
    ingestion = Ingestion.objects.get(catalogue=masters)
    assert ingestion.items.count() == 1
    html = response.content.decode()
    assert "Ingesting 1 file(s)" in html
    assert "refreshes itself" in html  # the job is queued: the page polls


def test_upload_without_a_file_or_with_no_audio_shows_an_error(label_web, masters):
    url = reverse("web:catalogue-detail", args=[masters.id])
    response = label_web.post(url, {})
    assert response.status_code == 400
    assert MESSAGE_CHOOSE_AUDIO in response.content.decode()
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = label_web.post(url, {"file": [text]})
    assert response.status_code == 400
    assert "holds no audio file" in response.content.decode()
    assert not Ingestion.objects.exists()


def test_another_organisation_gets_404_and_sees_no_catalogue(rival_web, masters, ingested):
    assert rival_web.get(reverse("web:catalogue-detail", args=[masters.id])).status_code == 404
    assert rival_web.get(reverse("web:ingestion-detail", args=[ingested.id])).status_code == 404
    assert rival_web.post(reverse("web:catalogue-detail", args=[masters.id]), {}).status_code == 404
    assert "Harbour Masters" not in rival_web.get(reverse("web:catalogue-list")).content.decode()


def test_studios_do_not_have_catalogue_pages(owner_web):
    assert owner_web.get(reverse("web:catalogue-list")).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, masters):
    for url in (reverse("web:catalogue-list"), reverse("web:catalogue-detail", args=[masters.id])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
