"""Web page fixtures: Django test clients logged in as the shared personas."""

from __future__ import annotations

import pytest
from django.test import Client

from generation.services import work_create

PASSWORD = "correct horse battery staple"


def logged_in(persona) -> Client:
    client = Client()
    client.force_login(persona.membership.user)
    return client


@pytest.fixture
def owner_web(owner) -> Client:
    return logged_in(owner)


@pytest.fixture
def outsider_web(outsider) -> Client:
    return logged_in(outsider)


@pytest.fixture
def work(owner):
    return work_create(organisation=owner.organisation, created_by=owner.membership, title="Midnight Harbour")
