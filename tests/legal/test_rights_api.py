"""Parties, compositions and a recording's rights through the API: codes, roles, isolation."""

from decimal import Decimal

import pytest

from legal.models import MasterShare, Party
from legal.shares import MESSAGE_NOT_100, SharesNotHundredError, shares_check

pytestmark = pytest.mark.django_db

IPI = "00014107338"


def _party(client, name, kind="person", ipi=""):
    response = client.post("/api/parties/", {"name": name, "kind": kind, "ipi": ipi}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_shares_sum_exactly_in_decimal():
    shares_check([Decimal("33.3333"), Decimal("33.3333"), Decimal("33.3334")], right="master", subject="x")
    with pytest.raises(SharesNotHundredError) as error:
        shares_check([Decimal("33.3333")] * 3, right="master", subject="GBAYE6900531")
    assert error.value.detail["total"] == "99.9999"


def test_a_rights_holder_creates_parties_with_normalised_ipi(label_owner):
    response = label_owner.client.post(
        "/api/parties/", {"name": "Ada Lovelace", "kind": "person", "ipi": " 00014107338 "}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["ipi"] == IPI
    assert label_owner.client.get("/api/parties/").json()["results"][0]["name"] == "Ada Lovelace"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "X", "kind": "person", "ipi": "00014107339"}, 400, "invalid_ipi"),
        ({"name": "X", "kind": "robot"}, 400, "invalid"),
        ({"name": "Ada Lovelace", "kind": "person", "ipi": IPI}, 409, "party_exists"),
        ({"name": "ada lovelace", "kind": "person"}, 409, "party_exists"),
        ({"name": "X", "kind": "person", "ipo": "1"}, 400, "invalid"),
    ],
)
def test_bad_or_duplicate_parties_are_refused_with_codes(label_owner, body, status, code):
    _party(label_owner.client, "Ada Lovelace", ipi=IPI)
    _party(label_owner.client, "Ada Lovelace")  # no IPI: another person of that name, once

    response = label_owner.client.post("/api/parties/", body, format="json")

    assert response.status_code == status and response.json()["error"]["code"] == code


def test_only_rights_holders_hold_parties_and_auditors_only_read(platform_owner, label_auditor):
    refused = platform_owner.client.post("/api/parties/", {"name": "A", "kind": "person"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_a_rights_holder"
    auditor = label_auditor.client.post("/api/parties/", {"name": "A", "kind": "person"}, format="json")
    assert auditor.status_code == 403 and auditor.json()["error"]["code"] == "permission_denied"
    assert label_auditor.client.get("/api/parties/").status_code == 200


def test_parties_of_another_organisation_are_invisible(label_owner, rival):
    party = _party(label_owner.client, "Ada Lovelace")

    assert rival.client.get(f"/api/parties/{party}/").status_code == 404
    assert rival.client.get("/api/parties/").json()["results"] == []


def test_master_shares_are_replaced_at_once_and_must_sum_to_100(label_owner, recordings):
    ada, bob = _party(label_owner.client, "Ada"), _party(label_owner.client, "Bob")
    url = f"/api/recordings/{recordings[0].id}/rights/"

    ok = label_owner.client.put(
        url,
        {"master_shares": [{"party": ada, "share": "60"}, {"party": bob, "share": "40.0000"}]},
        format="json",
    )
    short = label_owner.client.put(
        url, {"master_shares": [{"party": ada, "share": "99.9999"}]}, format="json"
    )
    negative = label_owner.client.put(
        url,
        {"master_shares": [{"party": ada, "share": "-10"}, {"party": bob, "share": "110"}]},
        format="json",
    )
    twice = label_owner.client.put(
        url, {"master_shares": [{"party": ada, "share": "50"}, {"party": ada, "share": "50"}]}, format="json"
    )

    assert ok.status_code == 200
    assert [(s["party_name"], s["share"]) for s in ok.json()["master_shares"]] == [
        ("Ada", "60.0000"),
        ("Bob", "40.0000"),
    ]
    assert short.status_code == 400 and short.json()["error"]["code"] == "shares_not_100"
    assert short.json()["error"]["detail"]["subject"] == "GBAYE6900531"
    assert "99.9999%" in short.json()["error"]["message"]
    assert SharesNotHundredError.default_message == MESSAGE_NOT_100
    assert negative.json()["error"]["code"] == "negative_amount"
    assert twice.json()["error"]["code"] == "duplicate_party"
    assert MasterShare.objects.filter(recording=recordings[0]).count() == 2  # the 60/40 kept


def test_shares_cannot_name_another_organisations_party(label_owner, rival, recordings):
    Party.objects.create(organisation=rival.organisation, name="Theirs", kind="person")
    theirs = Party.objects.get(name="Theirs").id

    response = label_owner.client.put(
        f"/api/recordings/{recordings[0].id}/rights/",
        {"master_shares": [{"party": str(theirs), "share": "100"}]},
        format="json",
    )

    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_party"


def test_compositions_with_publishing_shares_show_in_the_recordings_rights(label_owner, recordings, rival):
    writer, publisher = _party(label_owner.client, "Writer"), _party(label_owner.client, "Pub", "company")
    body = {
        "title": "Harbour Lights",
        "iswc": "T-034.524.680-1",
        "recordings": [str(recordings[0].id)],
        "publishing_shares": [
            {"party": writer, "role": "writer", "performance_share": "50", "mechanical_share": "25"},
            {"party": publisher, "role": "publisher", "performance_share": "50", "mechanical_share": "75"},
        ],
    }

    created = label_owner.client.post("/api/compositions/", body, format="json")
    again = label_owner.client.post("/api/compositions/", body, format="json")
    rights = label_owner.client.get(f"/api/recordings/{recordings[0].id}/rights/").json()

    assert created.status_code == 201 and created.json()["iswc"] == "T0345246801"
    assert again.status_code == 409 and again.json()["error"]["code"] == "composition_exists"
    assert rights["compositions"][0]["title"] == "Harbour Lights"
    assert {s["role"] for s in rights["compositions"][0]["publishing_shares"]} == {"writer", "publisher"}
    composition = created.json()["id"]
    assert rival.client.get(f"/api/compositions/{composition}/").status_code == 404
    assert rival.client.get("/api/compositions/").json()["results"] == []
    assert rival.client.get(f"/api/recordings/{recordings[0].id}/rights/").status_code == 404
    assert rival.client.put(
        f"/api/recordings/{recordings[0].id}/rights/", {"master_shares": []}, format="json"
    ).status_code in (400, 404)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"iswc": "T-034.524.680-2"}, "invalid_iswc"),
        ({"mechanical_share": "30"}, "shares_not_100"),
    ],
)
def test_bad_compositions_are_refused_and_nothing_is_stored(label_owner, change, code):
    writer = _party(label_owner.client, "Writer")
    share = {"party": writer, "role": "writer", "performance_share": "100", "mechanical_share": "100"}
    share |= {k: v for k, v in change.items() if k.endswith("share")}
    body = {"title": "T", "iswc": change.get("iswc", "T0345246801"), "publishing_shares": [share]}

    response = label_owner.client.post("/api/compositions/", body, format="json")

    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert label_owner.client.get("/api/compositions/").json()["results"] == []
