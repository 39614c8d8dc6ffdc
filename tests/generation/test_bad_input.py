"""Bad requests get a 4xx and leave no half-created request, take or event behind."""

import pytest

from generation.models import GenerationRequest, Take
from provenance.models import ContributionEvent

pytestmark = pytest.mark.django_db


def unchanged(work) -> tuple[int, int, int]:
    return (
        GenerationRequest.objects.count(),
        Take.objects.count(),
        ContributionEvent.objects.filter(work=work).count(),
    )


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"backend": "nope"}, "invalid", "unknown backend 'nope'"),
        ({"tags": ["polka"]}, "invalid", "unknown tag 'polka'"),
        ({"duration_s": 0}, "invalid", "duration_s"),
        ({"duration_s": 301}, "invalid", "duration_s"),
        ({"takes": 17}, "invalid", "takes"),
        ({"takes": 0}, "invalid", "takes"),
        ({"backend": "musicgen"}, "backend_unavailable", "GENERATION_MUSICGEN_DIR"),
        ({"backend": "stable_audio"}, "backend_unavailable", "GENERATION_STABLE_AUDIO_DIR"),
        ({"seed": -1}, "invalid", ""),
        ({"tags": "pop"}, "invalid", ""),
        ({"bpm": 120}, "invalid", ""),
    ],
)
def test_bad_generation_requests_are_refused_and_write_nothing(generate, work, body, code, message):
    before = unchanged(work)

    response = generate(**body)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert message in error["message"] or message in str(error["detail"])
    assert unchanged(work) == before


def test_a_missing_weights_directory_is_a_clear_error(generate, work, settings, tmp_path):
    settings.GENERATION_MUSICGEN_DIR = str(tmp_path / "no-such-model")

    response = generate(backend="musicgen", prompt="x")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "backend_unavailable"
    assert "no-such-model" in response.json()["error"]["message"]


@pytest.fixture
def take(generate, owner):
    response = generate(tags=["pop"], duration_s=6, seed=1)
    return Take.objects.get(pk=owner.client.get(response["Location"]).json()["results"][0]["id"])


@pytest.mark.parametrize(
    ("operation", "parameters", "fragment"),
    [
        ("trim", {"start_s": 3, "end_s": 99}, "outside"),
        ("trim", {"start_s": 5, "end_s": 2}, "outside"),
        ("regenerate", {"start_bar": 2, "end_bar": 40, "seed": 1}, "outside"),
        ("fade", {"in_s": 10, "out_s": 10}, "do not fit"),
        ("gain", {"db": 60}, "outside"),
        ("tempo", {"bpm": 5}, "outside"),
        ("extend", {"bars": 0, "seed": 1}, ""),
        ("trim", {"start_s": 0}, ""),
        ("gain", {"db": 3, "extra": 1}, ""),
        ("reverse", {}, ""),
    ],
)
def test_impossible_edits_are_refused_and_make_no_take(take, owner, work, operation, parameters, fragment):
    before = unchanged(work)

    response = owner.client.post(
        f"/api/takes/{take.id}/edits/", {"operation": operation, "parameters": parameters}, format="json"
    )

    assert response.status_code == 400, response.content
    assert fragment in str(response.json())
    assert unchanged(work) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/takes/{take}/", None),
        ("get", "/api/takes/{take}/audio/", None),
        ("post", "/api/takes/{take}/select/", None),
        ("post", "/api/takes/{take}/edits/", {"operation": "gain", "parameters": {"db": -3}}),
        ("post", "/api/takes/{take}/replay/", None),
        ("post", "/api/takes/{take}/exports/", {"format": "wav"}),
        ("get", "/api/generations/{request}/", None),
        ("get", "/api/works/{work}/takes/", None),
        ("get", "/api/works/{work}/generations/", None),
        ("post", "/api/works/{work}/generations/", {"tags": ["pop"]}),
    ],
)
def test_outsiders_get_404_and_change_nothing(take, outsider, work, method, path, body):
    before = unchanged(work)
    url = path.format(take=take.id, request=take.request_id, work=work.id)

    response = getattr(outsider.client, method)(url, body, format="json")

    assert response.status_code == 404
    assert unchanged(work) == before


def test_outsiders_cannot_download_another_organisations_export(take, owner, outsider):
    export = owner.client.post(f"/api/takes/{take.id}/exports/", {"format": "wav"}, format="json").json()

    assert outsider.client.get(export["download_url"]).status_code == 404


def test_auditors_can_listen_but_not_generate_or_edit(take, studio, work):
    from accounts.roles import Role
    from tests.conftest import make_persona

    auditor = make_persona(organisation=studio, role=Role.AUDITOR, username="aud")

    assert auditor.client.get(f"/api/takes/{take.id}/audio/").status_code == 200
    assert auditor.client.post(f"/api/works/{work.id}/generations/", {}, format="json").status_code == 403
    edit = {"operation": "gain", "parameters": {"db": 1}}
    assert auditor.client.post(f"/api/takes/{take.id}/edits/", edit, format="json").status_code == 403
