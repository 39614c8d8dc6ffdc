"""The label compliance report: every export's labels re-read, per organisation and period."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from generation.models import Export
from provenance.models import LabelPolicy
from provenance.verification_api import MESSAGE_BAD_PERIOD
from tests.provenance.conftest import export_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def report(persona, **query) -> dict:
    response = persona.client.get("/api/compliance/labels/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_every_export_is_listed_with_its_labels_and_compliant(owner, take):
    export, _ = export_of(owner, take, "flac")
    labelled, _ = export_of(owner, take, "mp3")

    body = report(owner)

    assert body["organisation"] == "aurora-studio" and body["exports"] == 2 and body["compliant"] == 2
    row = body["rows"][0]
    assert row["export"] == str(export.id) and row["title"] == "Harbour Lights"
    assert row["c2pa_state"] == "trusted" and row["aigc_present"] and row["aigc_signature_valid"]
    assert row["compliant"] is True and row["reasons"] == []
    assert body["rows"][1]["export"] == str(labelled.id)


def test_an_export_without_the_explicit_cue_fails_where_the_policy_requires_it(owner, take):
    plain, _ = export_of(owner, take, "flac")
    response = owner.client.post(
        f"/api/takes/{take.id}/exports/", {"format": "flac", "explicit_label": "start"}, format="json"
    )
    assert response.status_code == 201, response.content
    LabelPolicy.objects.create(organisation=owner.organisation, explicit_label_required=True)

    rows = {row["export"]: row for row in report(owner)["rows"]}

    assert rows[str(plain.id)]["compliant"] is False
    assert rows[str(plain.id)]["reasons"] == ["explicit_label_missing"]
    assert rows[response.json()["id"]]["explicit_label"] is True
    assert rows[response.json()["id"]]["compliant"] is True


def test_a_stored_file_changed_after_export_is_not_compliant(owner, take):
    export, data = export_of(owner, take, "flac")
    with open(export.file.path, "wb") as handle:
        handle.write(data[:-10])

    [row] = report(owner)["rows"]

    assert row["compliant"] is False and row["reasons"] == ["file_changed"]


def test_period_filters_by_export_date_and_a_reversed_period_is_refused(owner, take):
    export, _ = export_of(owner, take, "flac")
    Export.objects.filter(pk=export.pk).update(created_at=dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    export_of(owner, take, "wav")

    january = report(owner, **{"from": "2026-01-01", "to": "2026-01-31"})
    response = owner.client.get("/api/compliance/labels/", {"from": "2026-02-01", "to": "2026-01-01"})

    assert [row["export"] for row in january["rows"]] == [str(export.id)]
    assert january["from"] == "2026-01-01" and january["to"] == "2026-01-31"
    assert response.status_code == 400 and response.json()["error"]["message"] == MESSAGE_BAD_PERIOD


def test_csv_has_one_line_per_export(owner, take):
    export_of(owner, take, "flac")

    response = owner.client.get("/api/compliance/labels/", {"type": "csv"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 and rows[0]["compliant"] == "True" and rows[0]["c2pa_state"] == "trusted"


def test_the_report_shows_only_the_callers_organisation(owner, teammate, outsider, take):
    export_of(owner, take, "flac")

    assert report(teammate)["exports"] == 1
    theirs = report(outsider)
    assert theirs["organisation"] == "northwind-records" and theirs["exports"] == 0 and theirs["rows"] == []


def test_the_report_needs_a_token(anonymous):
    assert anonymous.get("/api/compliance/labels/").status_code in (401, 403)


def test_label_report_command_prints_json_and_csv(owner, take, capsys):
    export, _ = export_of(owner, take, "flac")

    call_command("label_report", "--org", "aurora-studio", "--json")
    body = json.loads(capsys.readouterr().out)
    call_command("label_report", "--org", "aurora-studio", "--csv", "--from", "2000-01-01")
    lines = capsys.readouterr().out.splitlines()

    assert body["rows"][0]["export"] == str(export.id) and body["compliant"] == 1
    assert lines[0].startswith("export,work,title") and lines[1].startswith(str(export.id))
