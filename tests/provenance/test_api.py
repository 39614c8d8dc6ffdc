import io
import zipfile

import pytest

from accounts.roles import Role
from provenance.models import ContributionEvent
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


def test_members_read_a_works_record_in_order(work, teammate):
    response = teammate.client.get(f"/api/works/{work.id}/events/")

    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert events[1]["actor"] == {"user": "ben", "role": "creator"}
    assert events[1]["payload"] == {"text": "Wrote the chorus by hand."}
    assert events[1]["prev_hash"] == events[0]["event_hash"]


def test_record_is_paginated(work, owner):
    response = owner.client.get(f"/api/works/{work.id}/events/?page_size=2")

    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 2
    assert response.json()["next"] is not None


def test_notes_are_recorded_through_the_api_and_auditors_cannot_write(work, owner, studio):
    auditor = make_persona(organisation=studio, role=Role.AUDITOR, username="aud")

    created = owner.client.post(f"/api/works/{work.id}/notes/", {"text": "Bridge rewritten."}, format="json")
    refused = auditor.client.post(f"/api/works/{work.id}/notes/", {"text": "Mine."}, format="json")

    assert created.status_code == 201
    assert created.json()["seq"] == 4
    assert refused.status_code == 403
    assert ContributionEvent.objects.filter(work=work).count() == 4


def test_evidence_downloads_as_a_zip(work, owner):
    response = owner.client.get(f"/api/works/{work.id}/evidence/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_inclusion_proof_for_an_event(work, owner):
    event = ContributionEvent.objects.get(work=work, seq=2)

    response = owner.client.get(f"/api/log/proof/?event={event.event_hash}")

    assert response.status_code == 200
    body = response.json()
    assert body["leaf_index"] == event.log_index
    assert body["tree_size"] == 3
    assert len(body["audit_path"]) == 2


def test_inclusion_proof_against_an_older_tree_size(work, owner):
    event = ContributionEvent.objects.get(work=work, seq=1)

    assert owner.client.get(f"/api/log/proof/?event={event.event_hash}&tree_size=2").json()["tree_size"] == 2
    too_small = owner.client.get(
        f"/api/log/proof/?event={ContributionEvent.objects.get(work=work, seq=3).event_hash}&tree_size=2"
    )
    assert too_small.status_code == 400
    assert too_small.json()["error"]["code"] == "invalid"


def test_checkpoint_and_consistency(work, owner):
    checkpoint = owner.client.get("/api/log/checkpoint/").json()
    proof = owner.client.get("/api/log/consistency/?first=2&second=3")

    assert checkpoint["tree_size"] == 3
    assert checkpoint["checkpoint"].startswith("songproof.local/log\n3\n")
    assert proof.status_code == 200
    assert proof.json()["second_root"] == checkpoint["root_hash"]


@pytest.mark.parametrize(
    "query", ["first=3&second=2", "first=0&second=2", "first=1&second=99", "first=x&second=2", ""]
)
def test_bad_consistency_ranges_are_400(work, owner, query):
    response = owner.client.get(f"/api/log/consistency/?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("event", ["nothex", "ab" * 31, ""])
def test_malformed_event_hash_is_400(work, owner, event):
    assert owner.client.get(f"/api/log/proof/?event={event}").status_code == 400


def test_keys_are_public_and_hold_no_private_material(work, anonymous):
    response = anonymous.get("/api/keys/")

    assert response.status_code == 200
    keys = response.json()["keys"]
    assert {k["purpose"] for k in keys} == {"record", "log"}
    assert all(k["valid_until"] is None for k in keys)
    assert next(k for k in keys if k["purpose"] == "log")["vkey"].startswith("songproof.local/log+")
    assert b"PRIVATE" not in response.content and b"encrypted" not in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/api/works/{work}/",
        "/api/works/{work}/events/",
        "/api/works/{work}/evidence/",
        "/api/log/proof/?event={event}",
    ],
)
def test_outsider_gets_404_for_another_organisations_record(work, outsider, path):
    event = ContributionEvent.objects.get(work=work, seq=1)

    response = outsider.client.get(path.format(work=work.id, event=event.event_hash))

    assert response.status_code == 404


def test_outsider_cannot_add_notes_to_another_organisations_work(work, outsider):
    response = outsider.client.post(f"/api/works/{work.id}/notes/", {"text": "Mine now."}, format="json")

    assert response.status_code == 404
    assert ContributionEvent.objects.filter(work=work).count() == 3


def test_outsider_lists_none_of_the_studios_works(work, outsider):
    assert outsider.client.get("/api/works/").json()["results"] == []


def test_empty_log_has_no_checkpoint(owner):
    response = owner.client.get("/api/log/checkpoint/")

    assert response.status_code == 404
