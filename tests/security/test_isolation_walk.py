"""Tenant isolation, walked exhaustively (issue 9).

A victim world (a studio, a label and a platform, with one object of every kind) and an
attacker world (one organisation of each kind, a member of every role in each). Every path of
the OpenAPI schema and every web page is called with the victim's ids: each attacker gets 404
(or 403 where their own role is refused first), never a success; anonymous callers get 401 (API)
or the login page. A new endpoint with an id and no entry in `API_KINDS` / `PAGE_KINDS` fails
the walk, so it stays complete.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import ApiToken, Organisation
from accounts.roles import OrganisationKind, Role
from generation.models import Export
from generation.services import work_create
from legal.licences import model_version_create
from legal.models import Licence, MasterShare, Party
from legal.services import composition_create
from legal.statements import royalty_statement_create
from similarity.ingestion import ingestion_from_upload
from similarity.scans import scan_from_archive
from similarity.services import catalogue_get_or_create
from tests.accounts.factories import OrganisationFactory
from tests.conftest import make_persona
from tests.legal.conftest import recording
from tests.similarity.conftest import track
from tests.web.conftest import logged_in
from tests.web_rights.conftest import generate

pytestmark = pytest.mark.django_db

# The first path segment after /api/ (or after / for pages) names the kind of its {id}.
API_KINDS = {
    "catalogues": "catalogue",
    "compositions": "composition",
    "exports": "export",
    "generations": "generation",
    "ingestions": "ingestion",
    "licences": "licence",
    "memberships": "membership",
    "model-versions": "model_version",
    "organisations": "organisation",
    "parties": "party",
    "recordings": "recording",
    "scans": "scan",
    "statements": "statement",
    "takes": "take",
    "tokens": "token",
    "works": "work",
}
PAGE_KINDS = {
    "works": "work",
    "generations": "generation",
    "takes": "take",
    "exports": "export",
    "catalogues": "catalogue",
    "ingestions": "ingestion",
    "recordings": "recording",
    "matches": "match",
    "scans": "scan",
    "statements": "statement",
}
# Served to anyone: the public keys and verification, health, the schema and its docs.
PUBLIC_API = {"/api/health/", "/api/keys/", "/api/public/verify/"}
PUBLIC_PAGES = {"/login/", "/verify/", "/logout/"}
# Organisation-owned rows with integer keys: never addressed by their own id in a URL, only
# through their UUID parent (work, scan, ingestion, recording, composition, licence) or as
# the one policy row of the caller's own organisation.
INTEGER_KEYED = {
    "provenance.ContributionEvent",  # /works/{id}/events/; its place is its log sequence
    "provenance.LabelPolicy",  # the organisation's own, one per organisation
    "similarity.OutputPolicy",  # likewise
    "similarity.ScanItem",
    "similarity.IngestionItem",
    "legal.RecordingComposition",
    "legal.MasterShare",
    "legal.PublishingShare",
    "legal.LicenceOptIn",
    "legal.ModelTraining",
}


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _org(slug: str, kind: str) -> Organisation:
    return OrganisationFactory(slug=slug, name=slug.title(), kind=kind)


@pytest.fixture
def victim(settings, tmp_path) -> dict[str, object]:
    """One object of every kind, owned by the victim studio, label and platform."""
    settings.MEDIA_ROOT = tmp_path / "media"
    studio = _org("victim-studio", OrganisationKind.CREATOR_STUDIO)
    label = _org("victim-label", OrganisationKind.RIGHTS_HOLDER)
    platform = _org("victim-platform", OrganisationKind.PLATFORM)
    owner = make_persona(organisation=studio, role=Role.OWNER, username="victor")
    work = work_create(organisation=studio, title="Victim Song", created_by=owner.membership)
    take = generate(owner, work, seed=1, seconds=2.0)
    response = owner.client.post(f"/api/takes/{take.id}/exports/", {"format": "wav"}, format="json")
    assert response.status_code == 201, response.content
    catalogue = catalogue_get_or_create(organisation=label, name="Victim Masters")
    song = recording(catalogue, "GBAYE6900531", "Victim Lights")
    party = Party.objects.create(organisation=label, name="Vera Writer")
    MasterShare.objects.create(recording=song, party=party, share=Decimal(100))
    licence = Licence.objects.create(
        catalogue=catalogue,
        licensee=platform,
        training_allowed=True,
        territories=["WORLD"],
        starts_on=datetime.date(2026, 1, 1),
        revenue_share=Decimal(30),
        currency="EUR",
    )
    statement = royalty_statement_create(
        licence=licence,
        revenue_minor=1000,
        currency="EUR",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 28),
        usage_csv=f"recording_id,kind,units,matched_ms\n{song.id},training,1,\n".encode(),
    )
    wav = track(("rock",), seed=2, seconds=2.0)
    return {
        "owner": owner,
        "organisation": studio,
        "membership": owner.membership,
        "token": ApiToken.objects.get(membership=owner.membership),
        "work": work,
        "take": take,
        "generation": take.request,
        "export": Export.objects.get(pk=response.json()["id"]),
        "catalogue": catalogue,
        "recording": song,
        "ingestion": ingestion_from_upload(catalogue=catalogue, name="v.zip", files={"a.wav": wav}),
        "scan": scan_from_archive(organisation=studio, name="v.zip", data=_zipped({"a.wav": wav})),
        "party": party,
        "composition": composition_create(organisation=label, title="Victim Lights"),
        "licence": licence,
        "statement": statement,
        "model_version": model_version_create(organisation=platform, name="victim-model", version="1"),
        "match": take,  # the match page is addressed by the take that was checked
    }


@pytest.fixture
def attackers(db):
    """A member of every role in an organisation of every kind, none of them the victim's."""
    personas = []
    for kind in OrganisationKind:
        organisation = _org(f"attacker-{kind}".replace("_", "-"), kind)
        for role in Role:
            personas.append(make_persona(organisation=organisation, role=role, username=f"{kind}-{role}"))
    return personas


def _api_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method) for path, item in schema["paths"].items() for method in item]


def _kind(path: str, kinds: dict[str, str], prefix: str) -> str | None:
    if "{" not in path and "<" not in path:
        return None
    head = path.removeprefix(prefix).split("/")[0]
    assert head in kinds, f"{path}: add its id's kind to the walk's map"
    return kinds[head]


def _api_url(path: str, victim) -> str:
    kind = _kind(path, API_KINDS, "/api/")
    return path if kind is None else path.replace("{id}", str(victim[kind].pk))


def _call(client, method: str, url: str):
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


def test_every_api_path_with_an_id_is_in_the_walk():
    for path, _ in _api_operations():
        _kind(path, API_KINDS, "/api/")


def test_attackers_of_every_role_and_kind_get_404_for_the_victims_objects(victim, attackers):
    victim_ids = {str(obj.pk) for obj in victim.values() if hasattr(obj, "pk")}
    leaks = []
    for path, method in _api_operations():
        url = _api_url(path, victim)
        for persona in attackers:
            response = _call(persona.client, method, url)
            if "{id}" in path:
                if response.status_code not in (403, 404):
                    leaks.append((persona.username, method, path, response.status_code))
            elif method == "get" and any(i in response.content.decode() for i in victim_ids):
                leaks.append((persona.username, method, path, "lists a victim's id"))
    assert leaks == []


def test_the_victims_own_owner_reads_the_same_urls(victim):
    # The control: the walk's ids are real, so the attackers' 404s are refusals, not typos.
    studio_kinds = {"work", "take", "generation", "export", "scan", "membership", "token", "organisation"}
    for path, method in _api_operations():
        if method == "get" and _kind(path, API_KINDS, "/api/") in studio_kinds:
            response = victim["owner"].client.get(_api_url(path, victim))
            assert response.status_code == 200, (path, response.status_code)


def test_anonymous_callers_get_401_except_on_public_endpoints(victim):
    anonymous = APIClient()
    wrong = []
    for path, method in _api_operations():
        if path in PUBLIC_API:
            continue
        response = _call(anonymous, method, _api_url(path, victim))
        if response.status_code != 401:
            wrong.append((method, path, response.status_code))
    assert wrong == []


def _page_paths() -> list[str]:
    """Every page route of web/urls.py, with `<converter:name>` left in."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and getattr(entry, "app_name", None) == "web":
            found += ["/" + str(p.pattern) for p in entry.url_patterns if isinstance(p, URLPattern)]
    assert found, "the web pages were not found in the URL configuration"
    return found


def _page_url(path: str, victim) -> str:
    kind = _kind(path, PAGE_KINDS, "/")
    if kind is None:
        return path
    return path.replace("<uuid:id>", str(victim[kind].pk)).replace("<str:kind>", "csv")


def test_attackers_get_404_for_every_page_of_the_victims_objects(victim, attackers):
    leaks = []
    pages = [p for p in _page_paths() if "<" in p]
    for persona in attackers:
        web = logged_in(persona)
        for path in pages:
            url = _page_url(path, victim)
            for method in ("get", "post"):
                status = getattr(web, method)(url).status_code
                # 403: the attacker's own role may not do this at all (an auditor writing);
                # 405: a page that is only read.
                if status not in (403, 404, 405):
                    leaks.append((persona.username, method, path, status))
    assert leaks == []


def test_anonymous_visitors_are_sent_to_login_except_on_public_pages(victim):
    client = Client()
    wrong = []
    for path in _page_paths():
        if path in PUBLIC_PAGES:
            continue
        response = client.get(_page_url(path, victim))
        if response.status_code != 302 or not response["Location"].startswith("/login/"):
            wrong.append((path, response.status_code))
    assert wrong == []


def _owned_by_organisation(model, depth: int = 4) -> bool:
    if model is Organisation:
        return True
    if depth == 0:
        return False
    parents = [
        field.related_model
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is not model
    ]
    return any(_owned_by_organisation(parent, depth - 1) for parent in parents)


def test_objects_of_organisations_have_unguessable_ids():
    integer_keyed = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"accounts", "generation", "provenance", "similarity", "legal"}:
            continue
        if _owned_by_organisation(model) and not isinstance(model._meta.pk, models.UUIDField):
            integer_keyed.add(model._meta.label)
    assert sorted(integer_keyed) == sorted(INTEGER_KEYED)
