import pytest

from accounts.models import ApiToken, Membership
from accounts.roles import Role
from accounts.services import MESSAGE_LAST_OWNER, MESSAGE_OWNER_BY_OWNER
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


def test_members_list_their_organisation_only(owner, teammate, outsider):
    response = teammate.client.get("/api/memberships/")

    assert response.status_code == 200
    assert sorted(m["username"] for m in response.json()["results"]) == ["ada", "ben"]


def test_owner_adds_a_member_who_is_created_on_the_fly(owner):
    response = owner.client.post(
        "/api/memberships/",
        {"username": "cleo", "email": "cleo@example.org", "role": "compliance"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == "compliance"
    assert Membership.objects.filter(organisation=owner.organisation, user__username="cleo").exists()


def test_adding_an_existing_member_twice_is_a_conflict(owner, teammate):
    response = owner.client.post("/api/memberships/", {"username": "ben", "role": "auditor"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_member"


def test_creator_cannot_add_members(teammate):
    response = teammate.client.post("/api/memberships/", {"username": "eve", "role": "owner"}, format="json")

    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="eve").exists()


def test_admin_cannot_grant_the_owner_role(studio, teammate):
    admin = make_persona(organisation=studio, role=Role.ADMIN, username="adm")

    response = admin.client.patch(
        f"/api/memberships/{teammate.membership.id}/", {"role": "owner"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "role_escalation",
        "message": MESSAGE_OWNER_BY_OWNER,
        "detail": {},
    }
    teammate.membership.refresh_from_db()
    assert teammate.membership.role == Role.CREATOR


def test_last_owner_cannot_step_down_or_be_removed(owner):
    url = f"/api/memberships/{owner.membership.id}/"

    demote = owner.client.patch(url, {"role": "admin"}, format="json")
    remove = owner.client.delete(url)

    assert demote.status_code == remove.status_code == 409
    assert demote.json()["error"]["message"] == MESSAGE_LAST_OWNER
    owner.membership.refresh_from_db()
    assert owner.membership.role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(owner, teammate):
    owner.client.patch(f"/api/memberships/{teammate.membership.id}/", {"role": "owner"}, format="json")

    response = owner.client.patch(
        f"/api/memberships/{owner.membership.id}/", {"role": "admin"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_removing_a_member_cuts_their_tokens_off_at_once(owner, teammate):
    assert teammate.client.get("/api/me/").status_code == 200

    response = owner.client.delete(f"/api/memberships/{teammate.membership.id}/")

    assert response.status_code == 204
    assert not ApiToken.objects.filter(membership_id=teammate.membership.id).exists()
    assert teammate.client.get("/api/me/").status_code == 401


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_outsider_gets_404_for_a_membership_of_another_organisation(owner, teammate, outsider, method):
    url = f"/api/memberships/{teammate.membership.id}/"

    response = getattr(outsider.client, method)(url, {"role": "auditor"}, format="json")

    assert response.status_code == 404
    assert Membership.objects.filter(id=teammate.membership.id, role=Role.CREATOR).exists()


def test_unknown_role_is_refused_with_the_field_named(owner, teammate):
    response = owner.client.patch(
        f"/api/memberships/{teammate.membership.id}/", {"role": "emperor"}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["detail"]["role"][0]["code"] == "invalid_choice"
