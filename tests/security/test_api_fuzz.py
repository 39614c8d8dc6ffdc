"""Schemathesis against the API's own OpenAPI schema, signed in as an organisation's owner.

Every operation gets generated requests (valid and invalid bodies, paths and queries); the
API must never answer 5xx, and a documented response must match its schema. Requests go
through `config.wsgi.application` in-process, inside the test's database transaction, so
work queued with `transaction.on_commit` (generations, ingestions, scans) is never started:
the fuzzer exercises validation and the services' synchronous parts, not the models.
Hypothesis runs derandomized with a bounded number of examples, so CI is deterministic.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.roles import Role
from config.wsgi import application
from tests.accounts.factories import OrganisationFactory
from tests.conftest import make_persona

# The schema the API serves at /api/schema/, generated without a request (no database at
# collection time); schemathesis then calls the WSGI application directly.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application

CHECKS = [not_a_server_error, response_schema_conformance]
# Operations checked for 5xx only, each with the reason (none now).
SCHEMA_GAPS: set[str] = set()


@pytest.fixture
def _connection_kept():
    """As Django's test client does: a request must not close the connection that holds
    the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, _connection_kept) -> dict[str, str]:
    studio = OrganisationFactory(slug="fuzz-studio", name="Fuzz Studio")
    persona = make_persona(organisation=studio, role=Role.OWNER, username="fuzzer")
    return {"Authorization": f"Bearer {persona.token}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_5xx_and_matches_its_schema(case, bearer):
    checks = [not_a_server_error] if case.operation.label in SCHEMA_GAPS else CHECKS
    case.call_and_validate(headers=bearer, checks=checks)
