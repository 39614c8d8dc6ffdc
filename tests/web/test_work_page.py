"""The work page and its actions, through the same services as the API; outsiders get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from generation.models import Export, Selection, Take
from generation.services import TakeBlockedError
from similarity.models import OutputCheck

pytestmark = pytest.mark.django_db

GENERATE = {"prompt": "late-night jazz", "tags": "jazz, calm", "duration_s": "4", "takes": "2"}


@pytest.fixture
def takes(owner_web, work, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_web.post(reverse("web:work-generate", args=[work.id]), GENERATE)
    return list(Take.objects.filter(work=work).order_by("index"))


def test_generate_select_edit_export_from_the_work_page(owner_web, work, takes):
    assert len(takes) == 2
    page = owner_web.get(reverse("web:work-detail", args=[work.id]))
    assert page.status_code == 200
    assert b"<audio controls" in page.content
    assert b"Authorship assessment" in page.content
    assert b"late-night jazz" in page.content  # the prompt, in the timeline

    owner_web.post(reverse("web:take-select", args=[takes[1].id]))
    assert Selection.objects.get(work=work).take == takes[1]

    response = owner_web.post(
        reverse("web:take-edit", args=[takes[1].id]), {"operation": "fade", "in_s": "0.5", "out_s": "1"}
    )
    assert response.status_code == 302
    edited = Take.objects.get(parent=takes[1])

    owner_web.post(reverse("web:take-export", args=[edited.id]), {"format": "wav", "explicit_label": ""})
    export = Export.objects.get(take=edited)
    page = owner_web.get(reverse("web:work-detail", args=[work.id]), follow=True)
    assert reverse("web:export-download", args=[export.id]).encode() in page.content
    assert b"chose take" in page.content  # the selection, with its alternatives
    download = owner_web.get(reverse("web:export-download", args=[export.id]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]


def test_waveform_and_audio_are_served_to_members(owner_web, takes):
    svg = owner_web.get(reverse("web:take-waveform", args=[takes[0].id]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<rect" in svg.content
    assert owner_web.get(reverse("web:take-audio", args=[takes[0].id]))["Content-Type"] == "audio/wav"


def test_generation_status_reports_a_finished_request(owner_web, work, takes):
    generation = takes[0].request
    body = owner_web.get(reverse("web:generation-status", args=[generation.id])).json()
    assert body == {"id": str(generation.id), "status": "done", "finished": True, "error": "", "takes": 2}


def test_export_of_blocked_take_shows_a_message(owner_web, work, takes):
    OutputCheck.objects.filter(take=takes[0]).update(verdict="block")
    if not OutputCheck.objects.filter(take=takes[0]).exists():
        OutputCheck.objects.create(take=takes[0], verdict="block", matched_seconds=4.0, matches=[])
    response = owner_web.post(
        reverse("web:take-export", args=[takes[0].id]), {"format": "wav", "explicit_label": ""}, follow=True
    )
    assert response.status_code == 200
    assert TakeBlockedError.default_message.encode() in response.content
    assert not Export.objects.filter(take=takes[0]).exists()


def test_invalid_edit_shows_a_message_and_makes_nothing(owner_web, takes):
    response = owner_web.post(
        reverse("web:take-edit", args=[takes[0].id]), {"operation": "gain"}, follow=True
    )
    assert b"Please correct the form" in response.content
    assert not Take.objects.filter(parent=takes[0]).exists()


def test_invalid_generation_shows_the_services_message(owner_web, work):
    form = GENERATE | {"takes": "999"}
    response = owner_web.post(reverse("web:work-generate", args=[work.id]), form, follow=True)
    assert b"takes must be in" in response.content


def test_evidence_downloads_as_a_zip(owner_web, work, takes):
    response = owner_web.get(reverse("web:work-evidence", args=[work.id]))
    assert response["Content-Type"] == "application/zip"
    assert response.content[:4] == b"PK\x03\x04"


def test_outsider_gets_404_on_every_work_url(outsider_web, owner_web, work, takes):
    owner_web.post(reverse("web:take-export", args=[takes[0].id]), {"format": "wav", "explicit_label": ""})
    export = Export.objects.get(take=takes[0])
    gets = [
        reverse("web:work-detail", args=[work.id]),
        reverse("web:work-evidence", args=[work.id]),
        reverse("web:generation-status", args=[takes[0].request_id]),
        reverse("web:take-audio", args=[takes[0].id]),
        reverse("web:take-waveform", args=[takes[0].id]),
        reverse("web:export-download", args=[export.id]),
    ]
    posts = [
        reverse("web:work-generate", args=[work.id]),
        reverse("web:take-select", args=[takes[0].id]),
        reverse("web:take-edit", args=[takes[0].id]),
        reverse("web:take-export", args=[takes[0].id]),
    ]
    for url in gets:
        assert outsider_web.get(url).status_code == 404, url
    for url in posts:
        assert outsider_web.post(url, GENERATE).status_code == 404, url
    assert not Selection.objects.exists()
