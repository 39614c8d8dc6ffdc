import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation
from accounts.roles import OrganisationKind, Role

pytestmark = pytest.mark.django_db


def _issue(capsys, *args) -> str:
    call_command("issue_token", *args)
    return capsys.readouterr().out.strip()


def test_create_makes_organisation_user_and_membership_and_prints_a_working_token(capsys):
    secret = _issue(
        capsys,
        "--org",
        "label-x",
        "--user",
        "lea",
        "--role",
        "compliance",
        "--create",
        "--org-kind",
        OrganisationKind.RIGHTS_HOLDER,
    )

    membership = Membership.objects.get(organisation__slug="label-x", user__username="lea")
    assert membership.role == Role.COMPLIANCE
    assert membership.organisation.kind == OrganisationKind.RIGHTS_HOLDER
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/me/").json()["organisation"]["slug"] == "label-x"


def test_existing_member_gets_another_token(capsys, owner):
    first = _issue(capsys, "--org", owner.organisation.slug, "--user", owner.username)
    second = _issue(capsys, "--org", owner.organisation.slug, "--user", owner.username)

    assert first != second
    assert owner.membership.tokens.count() == 3  # the fixture's, and these two


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nowhere", "--user", "ada"], "no organisation 'nowhere'"),
        (["--org", "aurora-studio", "--user", "zed"], "user 'zed' does not exist in 'aurora-studio'"),
        (["--org", "aurora-studio", "--user", "ada", "--role", "auditor"], "already 'owner'"),
        (["--org", "Bad Slug!", "--user", "ada", "--create"], "slug"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(owner, args, message):
    organisations_before = Organisation.objects.count()

    with pytest.raises(CommandError, match=message):
        call_command("issue_token", *args)

    assert Organisation.objects.count() == organisations_before
    assert owner.membership.tokens.count() == 1
