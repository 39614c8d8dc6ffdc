"""Bad input gets a 4xx in the error contract, never a 500, and changes nothing."""

import pytest

from accounts.authentication import MESSAGE_BAD_HEADER, MESSAGE_BAD_TOKEN
from accounts.models import Membership
from config.serializers import MESSAGE_UNKNOWN_FIELD

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    return body["error"]


def test_malformed_json_is_a_400(owner):
    response = owner.client.post("/api/memberships/", '{"username": "x", ', content_type="application/json")

    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


def test_unknown_fields_are_refused_by_name(owner):
    response = owner.client.post(
        "/api/memberships/", {"username": "cleo", "role": "creator", "rol": "owner"}, format="json"
    )

    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["detail"] == {"rol": [{"message": MESSAGE_UNKNOWN_FIELD, "code": "unknown_field"}]}
    assert not Membership.objects.filter(user__username="cleo").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": ["not", "a", "string"]},
        {"name": 12},
        {"name": "laptop", "expires_in_days": "soon"},
        {"name": "laptop", "expires_in_days": 0},
        {},
    ],
)
def test_wrong_types_and_missing_fields_are_400(teammate, body):
    response = teammate.client.post("/api/tokens/", body, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid"


def test_a_json_body_that_is_not_an_object_is_400(owner):
    response = owner.client.post("/api/memberships/", "[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid"


def test_non_json_content_type_is_415(owner):
    response = owner.client.post("/api/tokens/", "name=x", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_missing_auth_is_401_with_a_challenge(anonymous):
    response = anonymous.get("/api/me/")

    assert response.status_code == 401
    assert _error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer sp_not-a-real-token", MESSAGE_BAD_TOKEN),
        ("Bearer", MESSAGE_BAD_HEADER),
        ("Bearer two parts", MESSAGE_BAD_HEADER),
    ],
)
def test_bad_tokens_are_401(anonymous, header, message):
    anonymous.credentials(HTTP_AUTHORIZATION=header)

    response = anonymous.get("/api/me/")

    assert response.status_code == 401
    assert _error(response) == {"code": "authentication_failed", "message": message, "detail": {}}


def test_unknown_api_path_is_a_json_404(owner):
    response = owner.client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_malformed_id_in_path_is_a_404_not_a_500(owner):
    response = owner.client.get("/api/memberships/12345/")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_unsupported_method_is_405(owner):
    response = owner.client.put("/api/tokens/", {}, format="json")

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_invalid_page_is_404(owner):
    response = owner.client.get("/api/memberships/?page=99")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
