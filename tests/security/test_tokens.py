"""Token abuse limits: per-token rate limits, revocation and expiry take effect at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import Role
from accounts.services import token_issue, token_revoke
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_rate(settings):
    settings.API_TOKEN_RATE = "2/minute"
    cache.clear()
    yield
    cache.clear()


def test_a_token_over_its_rate_gets_429_with_retry_after(tiny_rate, owner):
    assert [owner.client.get("/api/me/").status_code for _ in range(2)] == [200, 200]

    response = owner.client.get("/api/me/")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_rate_is_counted_per_token(tiny_rate, owner, teammate):
    for _ in range(3):
        owner.client.get("/api/me/")

    assert teammate.client.get("/api/me/").status_code == 200


def test_a_second_token_of_the_same_member_has_its_own_count(tiny_rate, owner):
    for _ in range(3):
        owner.client.get("/api/me/")
    other = APIClient()
    other.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_issue(membership=owner.membership, name='ci').secret}"
    )

    assert other.get("/api/me/").status_code == 200


def test_revoked_token_is_refused_on_the_very_next_request(owner):
    assert owner.client.get("/api/me/").status_code == 200
    token_revoke(token=ApiToken.objects.get(membership=owner.membership))

    response = owner.client.get("/api/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_revoked_through_the_api_stops_working_at_once(owner, studio):
    admin = make_persona(organisation=studio, role=Role.ADMIN, username="amir")
    token_id = ApiToken.objects.get(membership=owner.membership).id
    assert owner.client.get("/api/works/").status_code == 200

    assert admin.client.delete(f"/api/tokens/{token_id}/").status_code in (200, 204)

    assert owner.client.get("/api/works/").status_code == 401


def test_expired_token_is_refused(owner):
    client = APIClient()
    issued = token_issue(
        membership=owner.membership, name="short", expires_at=timezone.now() + timedelta(hours=1)
    )
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert client.get("/api/me/").status_code == 200

    ApiToken.objects.filter(membership=owner.membership, name="short").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert client.get("/api/me/").status_code == 401
