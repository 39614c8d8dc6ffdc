"""Rights imports (CSV, JSON; command and API): row-level reports, all or nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from legal.identifiers import MESSAGE_IPI
from legal.models import Composition, MasterShare, Party, PublishingShare

pytestmark = pytest.mark.django_db

HEADER = (
    "type,name,kind,ipi,title,iswc,recordings,isrc,party,share,composition,role,"
    "performance_share,mechanical_share"
)
GOOD = [
    "party,Ada Lovelace,person,00014107338,,,,,,,,,,",
    "party,Harbour Publishing,company,,,,,,,,,,,",
    "composition,,,,Harbour Lights,T-034.524.680-1,GBAYE6900531,,,,,,,",
    "master_share,,,,,,,GB-AYE-69-00531,00014107338,70,,,,",
    "master_share,,,,,,,GB-AYE-69-00531,Harbour Publishing,30,,,,",
    "publishing_share,,,,,,,,Ada Lovelace,,T0345246801,writer,50,25",
    "publishing_share,,,,,,,,Harbour Publishing,,T0345246801,publisher,50,75",
]


def _csv(tmp_path, lines, name="rights.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


def _run(label, path, *flags, capsys):
    call_command("import_rights", "--org", label.slug, str(path), "--json", *flags)
    return json.loads(capsys.readouterr().out)


def test_a_valid_csv_is_imported_whole(label, recordings, tmp_path, capsys):
    report = _run(label, _csv(tmp_path, GOOD), capsys=capsys)

    assert report["valid"] is True and report["errors"] == []
    assert report["imported"] == {"parties": 2, "compositions": 1, "master_shares": 2, "publishing_shares": 2}
    assert Composition.objects.get().recordings.get() == recordings[0]
    assert sorted(MasterShare.objects.values_list("share", flat=True)) == [30, 70]
    assert PublishingShare.objects.count() == 2


def test_one_invalid_row_imports_nothing_and_names_the_row(label, recordings, tmp_path, capsys):
    lines = [
        *GOOD[:3],
        "master_share,,,,,,,GB-AYE-69-00531,00014107338,70,,,,",
        "party,Bad Ipi,person,00014107339,,,,,,,,,,",
    ]

    with pytest.raises(CommandError):
        _run(label, _csv(tmp_path, lines), capsys=capsys)
    report = json.loads(capsys.readouterr().out)

    assert Party.objects.count() == 0 and Composition.objects.count() == 0
    assert {(e["row"], e["field"], e["code"]) for e in report["errors"]} == {
        (6, "ipi", "invalid_ipi"),
        (5, "share", "shares_not_100"),
    }
    assert "GBAYE6900531" in next(e["message"] for e in report["errors"] if e["row"] == 5)
    assert report["imported"]["parties"] == 0


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(label, recordings, tmp_path, capsys):
    lines = [
        *GOOD,
        "party,Ada Lovelace,person,00014107338,,,,,,,,,,",  # a duplicate
        "master_share,,,,,,,USRC17607839,Nobody,100,,,,",
        "composition,,,,Bad,T-034.524.680-9,,,,,,,,",
        "master_share,,,,,,,GBAYE6900532,Ada Lovelace,-5,,,,",
        "licence,,,,,,,,,,,,,",
    ]

    report = _run(label, _csv(tmp_path, lines), "--skip-invalid", capsys=capsys)

    assert report["imported"] == {"parties": 2, "compositions": 1, "master_shares": 2, "publishing_shares": 2}
    assert {(e["row"], e["code"]) for e in report["errors"]} == {
        (9, "party_exists"),
        (10, "unknown_party"),
        (11, "invalid_iswc"),
        (12, "negative_amount"),
        (13, "invalid_type"),
    }
    assert report["skipped"] == 5 and report["valid"] is False


def test_json_documents_are_imported_and_refer_to_stored_parties(label, recordings, tmp_path, capsys):
    Party.objects.create(organisation=label, name="Old Friend", kind="person")
    document = {
        "parties": [{"name": "Ada", "kind": "person"}],
        "master_shares": [
            {"isrc": "USRC17607839", "party": "Ada", "share": 33.3333},
            {"isrc": "USRC17607839", "party": "Old Friend", "share": "66.6667"},
        ],
    }
    path = tmp_path / "rights.json"
    path.write_text(json.dumps(document))

    report = _run(label, path, capsys=capsys)

    assert report["imported"]["master_shares"] == 2
    assert sum(recordings[2].master_shares.values_list("share", flat=True)) == 100


def test_duplicate_parties_in_one_recordings_shares_are_refused(label, recordings, tmp_path, capsys):
    lines = [
        GOOD[0],
        "master_share,,,,,,,GBAYE6900531,00014107338,50,,,,",
        "master_share,,,,,,,GBAYE6900531,Ada Lovelace,50,,,,",
    ]

    with pytest.raises(CommandError):
        _run(label, _csv(tmp_path, lines), capsys=capsys)

    assert {e["code"] for e in json.loads(capsys.readouterr().out)["errors"]} == {"duplicate_party"}


def test_the_api_imports_a_file_or_a_json_body(label_owner, recordings, rival):
    upload = SimpleUploadedFile("rights.csv", "\n".join([HEADER, *GOOD]).encode(), content_type="text/csv")
    response = label_owner.client.post("/api/rights/imports/", {"file": upload}, format="multipart")
    bad = label_owner.client.post(
        "/api/rights/imports/", {"parties": [{"name": "X", "kind": "person", "ipi": "1"}]}, format="json"
    )
    skipped = label_owner.client.post(
        "/api/rights/imports/?skip_invalid=true",
        {"parties": [{"name": "X", "kind": "person", "ipi": "1"}, {"name": "Y", "kind": "person"}]},
        format="json",
    )

    assert response.status_code == 200 and response.json()["imported"]["master_shares"] == 2
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_import"
    assert bad.json()["error"]["detail"]["errors"][0] == {
        "row": 1,
        "type": "party",
        "field": "ipi",
        "code": "invalid_ipi",
        "message": MESSAGE_IPI,
    }
    assert skipped.status_code == 200 and skipped.json()["imported"]["parties"] == 1
    # The rival cannot refer to the label's recordings or parties.
    foreign = rival.client.post(
        "/api/rights/imports/",
        {"master_shares": [{"isrc": "GBAYE6900531", "party": "Ada Lovelace", "share": 100}]},
        format="json",
    )
    assert foreign.status_code == 400
    assert [e["code"] for e in foreign.json()["error"]["detail"]["errors"]] == ["unknown_recording"]
