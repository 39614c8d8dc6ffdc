"""Matches review: the rights holder sees the stretches of its recordings, not the take's work."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_match_list_and_detail_show_the_alignment_and_the_recording_audio(label_web, copied_take):
    check = copied_take.output_check
    listing = label_web.get(reverse("web:match-list")).content.decode()
    assert reverse("web:match-detail", args=[check.id]) in listing
    assert "master.wav" in listing
    assert "Secret Studio Song" not in listing
    detail = label_web.get(reverse("web:match-detail", args=[check.id]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert '<svg class="chart alignment" role="img"' in html and 'class="segment"' in html
    assert "Secret Studio Song" not in html and "prompt" not in html
    recording = check.matches[0]["recording_id"]
    assert reverse("web:recording-audio", args=[recording]) in html
    audio = label_web.get(reverse("web:recording-audio", args=[recording]))
    assert audio.status_code == 200 and b"".join(audio.streaming_content)[:4] == b"RIFF"


def test_match_list_empty_state(label_web, masters):
    assert "No generated take has matched" in label_web.get(reverse("web:match-list")).content.decode()


def test_another_rights_holder_sees_no_match_and_gets_404(rival_web, copied_take):
    check = copied_take.output_check
    recording = check.matches[0]["recording_id"]
    assert "No generated take has matched" in rival_web.get(reverse("web:match-list")).content.decode()
    assert rival_web.get(reverse("web:match-detail", args=[check.id])).status_code == 404
    assert rival_web.get(reverse("web:recording-audio", args=[recording])).status_code == 404
