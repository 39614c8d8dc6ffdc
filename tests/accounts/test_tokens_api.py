import pytest

from accounts.models import ApiToken
from accounts.services import token_digest

pytestmark = pytest.mark.django_db


def test_issued_token_is_shown_once_and_stored_only_as_a_hash(teammate, anonymous):
    response = teammate.client.post("/api/tokens/", {"name": "laptop", "expires_in_days": 30}, format="json")

    assert response.status_code == 201
    secret = response.json()["token"]
    stored = ApiToken.objects.get(id=response.json()["id"])
    assert stored.digest == token_digest(secret)
    assert secret not in {stored.digest, stored.prefix, stored.name}
    assert stored.expires_at is not None

    listed = teammate.client.get(f"/api/tokens/{stored.id}/").json()
    assert "token" not in listed

    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert anonymous.get("/api/me/").json()["username"] == "ben"


def test_revoked_token_stops_working_at_once(teammate):
    token = ApiToken.objects.get(membership=teammate.membership)

    response = teammate.client.delete(f"/api/tokens/{token.id}/")

    assert response.status_code == 204
    assert teammate.client.get("/api/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_members_see_their_own_tokens_and_managers_see_all(owner, teammate):
    own = teammate.client.get("/api/tokens/").json()["results"]
    everyone = owner.client.get("/api/tokens/").json()["results"]

    assert {t["username"] for t in own} == {"ben"}
    assert {t["username"] for t in everyone} == {"ada", "ben"}


def test_creator_cannot_see_or_revoke_a_teammates_token(owner, teammate):
    owners_token = ApiToken.objects.get(membership=owner.membership)

    assert teammate.client.get(f"/api/tokens/{owners_token.id}/").status_code == 404
    assert teammate.client.delete(f"/api/tokens/{owners_token.id}/").status_code == 404
    assert owner.client.get("/api/me/").status_code == 200


def test_owner_revokes_a_teammates_token(owner, teammate):
    token = ApiToken.objects.get(membership=teammate.membership)

    assert owner.client.delete(f"/api/tokens/{token.id}/").status_code == 204
    assert teammate.client.get("/api/me/").status_code == 401


@pytest.mark.parametrize("method", ["get", "delete"])
def test_outsider_gets_404_for_a_token_of_another_organisation(owner, outsider, method):
    token = ApiToken.objects.get(membership=owner.membership)

    response = getattr(outsider.client, method)(f"/api/tokens/{token.id}/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_outsider_token_list_shows_none_of_the_studios_tokens(owner, outsider):
    listed = outsider.client.get("/api/tokens/").json()["results"]

    assert {t["username"] for t in listed} == {"nora"}


def test_expired_token_is_refused(teammate):
    from django.utils import timezone

    ApiToken.objects.filter(membership=teammate.membership).update(expires_at=timezone.now())

    response = teammate.client.get("/api/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
