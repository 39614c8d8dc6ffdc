import pytest

from accounts.roles import Role
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


def test_member_lists_only_their_own_organisation(owner, outsider):
    response = owner.client.get("/api/organisations/")

    assert response.status_code == 200
    assert [org["slug"] for org in response.json()["results"]] == ["aurora-studio"]


def test_me_names_the_caller_role_and_organisation(teammate):
    response = teammate.client.get("/api/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "ben"
    assert response.json()["role"] == Role.CREATOR
    assert response.json()["organisation"]["slug"] == "aurora-studio"


def test_owner_renames_the_organisation(owner):
    response = owner.client.patch(
        f"/api/organisations/{owner.organisation.id}/", {"name": "Aurora"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Aurora"
    owner.organisation.refresh_from_db()
    assert owner.organisation.name == "Aurora"


def test_creator_cannot_rename_the_organisation(teammate):
    response = teammate.client.patch(
        f"/api/organisations/{teammate.organisation.id}/", {"name": "Mine now"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_auditor_reads_but_cannot_write(studio):
    auditor = make_persona(organisation=studio, role=Role.AUDITOR, username="aud")

    assert auditor.client.get(f"/api/organisations/{studio.id}/").status_code == 200
    assert (
        auditor.client.patch(f"/api/organisations/{studio.id}/", {"name": "x"}, format="json").status_code
        == 403
    )


def test_outsider_gets_404_for_another_organisation(owner, outsider):
    url = f"/api/organisations/{owner.organisation.id}/"

    assert outsider.client.get(url).status_code == 404
    response = outsider.client.patch(url, {"name": "Taken over"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    owner.organisation.refresh_from_db()
    assert owner.organisation.name == "Aurora Studio"
