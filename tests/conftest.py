"""Shared fixtures: the personas every API test uses, and the live Celery worker."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation
from accounts.roles import OrganisationKind, Role
from accounts.services import token_issue
from provenance.keys import forget_cached_keys
from tests.accounts.factories import MembershipFactory, OrganisationFactory

# One Playwright session for the whole run: a second sync_playwright() in the same process fails.
from tests.web.browser import browser, new_page  # noqa: F401  (fixtures)
from tests.worker import _worker_process, live_worker  # noqa: F401  (fixtures)


@dataclass
class Persona:
    membership: Membership
    token: str
    client: APIClient

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def username(self) -> str:
        return self.membership.user.username


def make_persona(*, organisation: Organisation, role: str, username: str) -> Persona:
    membership = MembershipFactory(organisation=organisation, role=role, user__username=username)
    token = token_issue(membership=membership, name=f"{username}'s test token").secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return Persona(membership=membership, token=token, client=client)


@pytest.fixture
def studio(db) -> Organisation:
    return OrganisationFactory(slug="aurora-studio", name="Aurora Studio")


@pytest.fixture
def owner(studio) -> Persona:
    return make_persona(organisation=studio, role=Role.OWNER, username="ada")


@pytest.fixture
def teammate(studio) -> Persona:
    """A member of the owner's organisation without management rights."""
    return make_persona(organisation=studio, role=Role.CREATOR, username="ben")


@pytest.fixture
def outsider(db) -> Persona:
    """The owner of another organisation: must never see the studio's data."""
    other = OrganisationFactory(slug="northwind-records", name="Northwind Records")
    return make_persona(organisation=other, role=Role.OWNER, username="nora")


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def label(db) -> Organisation:
    """A rights holder (record label)."""
    return OrganisationFactory(
        slug="harbour-records", name="Harbour Records", kind=OrganisationKind.RIGHTS_HOLDER
    )


@pytest.fixture
def label_owner(label) -> Persona:
    return make_persona(organisation=label, role=Role.OWNER, username="lena")


@pytest.fixture
def rival(db) -> Persona:
    """Another rights holder: must never see the label's rights, licences or matches."""
    other = OrganisationFactory(slug="rival-music", name="Rival Music", kind=OrganisationKind.RIGHTS_HOLDER)
    return make_persona(organisation=other, role=Role.OWNER, username="rex")


@pytest.fixture
def platform(db) -> Organisation:
    return OrganisationFactory(slug="tunefactory", name="Tunefactory", kind=OrganisationKind.PLATFORM)


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    """Each test's database starts without keys; so must each test's key cache."""
    forget_cached_keys()
    yield
    forget_cached_keys()


@pytest.fixture(autouse=True)
def _c2pa_pki_in_tmp(settings, tmp_path_factory):
    """One local C2PA PKI per test session, never the developer's var/pki/."""
    settings.C2PA_PKI_DIR = tmp_path_factory.getbasetemp() / "c2pa-pki"
