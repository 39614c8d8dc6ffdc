"""The skeleton: login, navigation, organisation scoping of every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import OrganisationKind, Role
from generation.models import Work
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.web.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db


def test_pages_of_members_redirect_anonymous_visitors_to_login(client, work):
    for url in (reverse("web:home"), reverse("web:work-list"), reverse("web:work-detail", args=[work.id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_login_with_password_opens_the_home_page(client, owner):
    owner.membership.user.set_password(PASSWORD)
    owner.membership.user.save()
    response = client.post(reverse("web:login"), {"username": "ada", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Aurora Studio" in response.content
    assert b'href="/works/"' in response.content


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(reverse("web:login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_logout_needs_a_post_and_ends_the_session(owner_web):
    assert owner_web.post(reverse("web:logout")).status_code == 302
    assert owner_web.get(reverse("web:home")).status_code == 302


def test_works_list_shows_only_the_members_organisation(owner_web, outsider_web, work):
    assert work.title.encode() in owner_web.get(reverse("web:work-list")).content
    assert work.title.encode() not in outsider_web.get(reverse("web:work-list")).content


def test_outsider_cannot_open_another_organisations_work(outsider_web, work):
    response = outsider_web.get(reverse("web:work-detail", args=[work.id]))
    assert response.status_code == 404
    assert work.title.encode() not in response.content


def test_work_is_created_from_the_works_list(owner_web, owner):
    form = {"title": "Harbour Lights", "training_use": "notAllowed"}
    response = owner_web.post(reverse("web:work-list"), form)
    assert response.status_code == 302
    assert Work.objects.get(title="Harbour Lights").organisation == owner.organisation


def test_invalid_work_form_shows_errors(owner_web):
    response = owner_web.post(reverse("web:work-list"), {"title": "", "training_use": "notAllowed"})
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_auditor_cannot_create_a_work(owner):
    auditor = MembershipFactory(organisation=owner.organisation, role=Role.AUDITOR)
    client = logged_in(type("P", (), {"membership": auditor})())
    response = client.post(reverse("web:work-list"), {"title": "X", "training_use": "notAllowed"})
    assert response.status_code == 403
    assert not Work.objects.filter(title="X").exists()


def test_creator_pages_are_not_found_for_other_organisation_kinds(db):
    label = MembershipFactory(organisation=OrganisationFactory(kind=OrganisationKind.RIGHTS_HOLDER))
    client = logged_in(type("P", (), {"membership": label})())
    assert client.get(reverse("web:work-list")).status_code == 404
    assert client.get(reverse("web:home")).status_code == 200


def test_organisation_switcher_scopes_pages_to_the_chosen_membership(owner, outsider, work):
    MembershipFactory(organisation=outsider.organisation, user=owner.membership.user, role=Role.CREATOR)
    client = logged_in(owner)
    assert work.title.encode() in client.get(reverse("web:work-list")).content
    client.get(reverse("web:home"), {"org": outsider.organisation.slug})
    assert client.get(reverse("web:work-detail", args=[work.id])).status_code == 404
    client.get(reverse("web:home"), {"org": owner.organisation.slug})
    assert client.get(reverse("web:work-detail", args=[work.id])).status_code == 200


def test_user_without_membership_is_told_why(db):
    from tests.accounts.factories import UserFactory

    client = logged_in(type("P", (), {"membership": type("M", (), {"user": UserFactory()})()})())
    response = client.get(reverse("web:home"))
    assert response.status_code == 403
    assert b"not a member of any organisation" in response.content


def test_static_stylesheet_is_served(client):
    response = client.get("/static/web/songproof.css")
    assert response.status_code == 200
