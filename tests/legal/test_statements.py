"""Royalty statements from stored rights: the API (create, list, download), who may, bad input
with codes and nothing kept, the derived usage and the command."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accounts.roles import Role
from legal.models import (
    Composition,
    Licence,
    MasterShare,
    Party,
    PublishingShare,
    RecordingComposition,
    RoyaltyStatement,
)
from legal.statements import MESSAGE_CURRENCY_MISMATCH, MESSAGE_NOT_LICENSEE
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db

PERIOD = {"period_start": "2026-01-01", "period_end": "2026-03-31"}


@pytest.fixture
def parties(label):
    return {
        name: Party.objects.create(organisation=label, name=name, kind=kind)
        for name, kind in (
            ("Harbour Records", "company"),
            ("Wren Writer", "person"),
            ("Pia Player", "person"),
        )
    }


@pytest.fixture
def rights(recordings, parties, label):
    """Recording 0: the label's master, a work written by Wren; recording 1: label and Pia
    half each; recording 2: the label's."""
    label_party, writer, performer = parties.values()
    MasterShare.objects.create(recording=recordings[0], party=label_party, share=Decimal(100))
    MasterShare.objects.create(recording=recordings[1], party=label_party, share=Decimal(50))
    MasterShare.objects.create(recording=recordings[1], party=performer, share=Decimal(50))
    MasterShare.objects.create(recording=recordings[2], party=label_party, share=Decimal(100))
    work = Composition.objects.create(organisation=label, title="Harbour Lights")
    RecordingComposition.objects.create(recording=recordings[0], composition=work)
    PublishingShare.objects.create(
        composition=work, party=writer, role="writer", performance_share=100, mechanical_share=100
    )
    return parties


@pytest.fixture
def licence(masters, platform, rights):
    return Licence.objects.create(
        catalogue=masters,
        licensee=platform,
        training_allowed=True,
        output_use_allowed=True,
        territories=["WORLD"],
        starts_on=datetime.date(2026, 1, 1),
        revenue_share=Decimal(30),
        currency="EUR",
    )


def _usage(recordings) -> SimpleUploadedFile:
    text = (
        "recording_id,kind,units,matched_ms\n"
        f"{recordings[0].isrc},training,1,\n"
        f"{recordings[1].id},training,1,\n"
        f"{recordings[0].isrc},output,,30000\n"
    )
    return SimpleUploadedFile("usage.csv", text.encode(), content_type="text/csv")


def _post(client, licence, recordings=None, **changes):
    body = {"revenue_minor": 100000, "currency": "EUR", **PERIOD} | changes
    if recordings is not None:
        body["usage"] = _usage(recordings)
        return client.post(f"/api/licences/{licence.id}/statements/", body, format="multipart")
    return client.post(f"/api/licences/{licence.id}/statements/", body, format="json")


def test_a_statement_from_stored_rights_and_usage_sums_exactly_by_shares(
    platform_owner, licence, recordings, parties
):
    response = _post(platform_owner.client, licence, recordings)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount_minor"] == 30000 and body["revenue_minor"] == 100000  # 30 % of 1,000.00
    assert body["usage_source"] == "upload"
    totals = {t["name"]: t["total_minor"] for t in body["totals"]}
    # Pools 15000 / 15000; training: recordings 0 and 1 alike; output: all recording 0.
    # Recording 0 (22500): master 11250 to the label, composition 11250 to Wren.
    assert totals == {"Harbour Records": 15000, "Wren Writer": 11250, "Pia Player": 3750}
    assert sum(totals.values()) == body["amount_minor"]
    lines = {
        (line["recording_id"], line["pool"], line["right"]): line["amount_minor"]
        for holder in body["statement"]["holders"]
        if holder["name"] == "Wren Writer"
        for line in holder["lines"]
    }
    rec = str(recordings[0].id)
    assert lines == {
        (rec, "training", "performance"): 1875,
        (rec, "training", "mechanical"): 1875,
        (rec, "output", "performance"): 3750,
        (rec, "output", "mechanical"): 3750,
    }
    assert body["statement"]["period"] == "2026-01-01/2026-03-31"
    assert RoyaltyStatement.objects.get().created_by == platform_owner.membership.user


def test_the_minimum_applies_when_the_share_is_less(platform_owner, licence):
    licence.minimum_minor = 50000
    licence.save()

    response = _post(platform_owner.client, licence, revenue_minor=1000)

    assert response.status_code == 201, response.json()
    assert response.json()["amount_minor"] == 50000
    assert response.json()["usage_source"] == "derived"
    assert sum(t["total_minor"] for t in response.json()["totals"]) == 50000


def test_statements_download_as_json_csv_and_html_and_per_party(
    platform_owner, label_owner, licence, recordings, parties
):
    created = _post(platform_owner.client, licence, recordings).json()
    url = f"/api/statements/{created['id']}/"

    as_json = label_owner.client.get(url).json()
    assert as_json["statement"] == created["statement"]
    csv_response = label_owner.client.get(url, {"type": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = csv_response.content.decode().splitlines()
    assert rows[0].startswith("licence_id,period,party_id")
    assert sum(int(row.split(",")[6]) for row in rows[1:]) == 30000
    html = label_owner.client.get(url, {"type": "html"})
    assert html["Content-Type"].startswith("text/html") and b"Royalty statement" in html.content
    pia = str(parties["Pia Player"].id)
    mine = label_owner.client.get(url, {"party": pia}).json()
    assert [h["party_id"] for h in mine["statement"]["holders"]] == [pia]
    assert mine["totals"] == [{"party_id": pia, "name": "Pia Player", "total_minor": 3750}]
    assert label_owner.client.get(url, {"type": "pdf"}).json()["error"]["code"] == "invalid"
    listed = label_owner.client.get(f"/api/licences/{licence.id}/statements/").json()["results"]
    assert [s["id"] for s in listed] == [created["id"]]


def test_only_the_licensee_creates_and_outsiders_see_nothing(
    platform, platform_owner, label_owner, rival, licence, recordings
):
    refused = _post(label_owner.client, licence, recordings)
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "not_the_licensee",
        "message": MESSAGE_NOT_LICENSEE,
        "detail": {"licence": str(licence.id)},
    }
    auditor = make_persona(organisation=platform, role=Role.AUDITOR, username="aude")
    assert _post(auditor.client, licence, recordings).status_code == 403
    created = _post(platform_owner.client, licence, recordings).json()

    assert _post(rival.client, licence, recordings).status_code == 404
    assert rival.client.get(f"/api/licences/{licence.id}/statements/").status_code == 404
    assert rival.client.get(f"/api/statements/{created['id']}/").status_code == 404
    assert auditor.client.get(f"/api/statements/{created['id']}/").status_code == 200
    assert RoyaltyStatement.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"revenue_minor": -1}, "invalid_amount"),
        ({"currency": "EUX"}, "unknown_currency"),
        ({"currency": "USD"}, "currency_mismatch"),
        ({"period_end": "2025-12-31"}, "invalid_period"),
        ({"period_start": "2025-01-01", "period_end": "2025-03-31"}, "period_outside_licence"),
    ],
)
def test_bad_requests_are_refused_with_codes_and_nothing_kept(platform_owner, licence, changes, code):
    response = _post(platform_owner.client, licence, **changes)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    if code == "currency_mismatch":
        assert response.json()["error"]["message"] == MESSAGE_CURRENCY_MISMATCH
    assert not RoyaltyStatement.objects.exists()


def _upload(client, licence, text: str):
    body = {"revenue_minor": 100000, "currency": "EUR", **PERIOD}
    body["usage"] = SimpleUploadedFile("usage.csv", text.encode(), content_type="text/csv")
    return client.post(f"/api/licences/{licence.id}/statements/", body, format="multipart")


def test_a_bad_usage_file_is_reported_row_by_row(platform_owner, licence, recordings):
    text = f"recording_id,kind,units\n{recordings[0].id},training,x\n{recordings[1].id},sold,1\n"

    error = _upload(platform_owner.client, licence, text).json()["error"]

    assert error["code"] == "invalid_usage"
    assert [(e["row"], e["column"]) for e in error["detail"]["errors"]] == [(2, "units"), (3, "kind")]
    assert not RoyaltyStatement.objects.exists()


def test_usage_of_recordings_outside_the_licence_or_without_rights_is_refused(
    platform_owner, licence, recordings
):
    MasterShare.objects.filter(recording=recordings[2]).delete()
    text = f"recording_id,kind\nZZAAA0000001,training\n{recordings[2].isrc},training\n"

    error = _upload(platform_owner.client, licence, text).json()["error"]

    assert error["code"] == "unknown_recording"
    assert error["detail"] == {"not_in_licence": ["ZZAAA0000001"], "without_rights": [recordings[2].isrc]}
    assert not RoyaltyStatement.objects.exists()


def test_the_command_prints_the_statement_and_refuses_bad_input(licence, recordings, tmp_path, capsys):
    usage = tmp_path / "usage.csv"
    usage.write_text(f"recording_id,kind\n{recordings[1].isrc},training\n")
    arguments = ["--licence", str(licence.id), "--currency", "EUR", "--from", "2026-01-01"]
    arguments += ["--to", "2026-03-31", "--usage", str(usage)]

    call_command("royalty_statement", *arguments, "--revenue-minor", "1000")
    document = json.loads(capsys.readouterr().out)
    assert document["amount_minor"] == 300
    assert sum(h["total_minor"] for h in document["holders"]) == 300

    out = tmp_path / "statement.html"
    call_command(
        "royalty_statement", *arguments, "--revenue-minor", "1000", "--format", "html", "--out", str(out)
    )
    assert out.read_text().startswith("<!DOCTYPE html>")

    with pytest.raises(CommandError, match="invalid_amount"):
        call_command("royalty_statement", *arguments, "--revenue-minor", "-5")
    with pytest.raises(CommandError, match="no licence"):
        call_command("royalty_statement", *arguments[2:], "--licence", "nope", "--revenue-minor", "1")
    assert RoyaltyStatement.objects.count() == 2
