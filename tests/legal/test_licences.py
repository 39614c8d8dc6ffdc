"""Licences: grants, overlap, bad input with codes, isolation; model versions trained under
them; scan verdicts and output checks decided through them."""

import datetime

import pytest

from legal.licences import MESSAGE_OVERLAP
from legal.models import Licence
from legal.selectors import licence_for
from similarity.checks import CheckResult, Policy
from similarity.index import Match
from similarity.scans import _verdict
from similarity.services import output_licences_apply

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _grant(client, masters, **changes):
    body = {
        "catalogue": str(masters.id),
        "licensee": "tunefactory",
        "training_allowed": True,
        "output_use_allowed": False,
        "territories": ["FR", "DE"],
        "starts_on": str(TODAY - datetime.timedelta(days=30)),
        "ends_on": None,
        "revenue_share": "12.5",
        "minimum_minor": 100000,
        "currency": "EUR",
    } | changes
    return client.post("/api/licences/", body, format="json")


def test_a_licensor_grants_and_both_parties_see_the_licence(label_owner, platform_owner, masters, rival):
    response = _grant(label_owner.client, masters, territories=["fr", "de"])

    assert response.status_code == 201, response.json()
    licence = response.json()
    assert licence["territories"] == ["DE", "FR"] and licence["licensor"] == "harbour-records"
    assert licence["revenue_share"] == "12.5000" and licence["currency"] == "EUR"
    assert platform_owner.client.get(f"/api/licences/{licence['id']}/").status_code == 200
    assert [item["id"] for item in platform_owner.client.get("/api/licences/").json()["results"]] == [
        licence["id"]
    ]
    assert rival.client.get(f"/api/licences/{licence['id']}/").status_code == 404
    assert rival.client.get("/api/licences/").json()["results"] == []


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"territories": ["FR", "XX"]}, 400, "invalid_territory"),
        ({"territories": ["WORLD", "FR"]}, 400, "invalid_territory"),
        ({"currency": "EUX"}, 400, "unknown_currency"),
        ({"minimum_minor": -1}, 400, "negative_amount"),
        ({"revenue_share": "-3"}, 400, "negative_amount"),
        ({"ends_on": str(TODAY - datetime.timedelta(days=60))}, 400, "invalid_period"),
        ({"licensee": "nobody-here"}, 400, "unknown_licensee"),
        ({"territories": ["WORLD"]}, 409, "licence_overlap"),
        (
            {"territories": ["DE", "JP"], "starts_on": str(TODAY + datetime.timedelta(days=300))},
            409,
            "licence_overlap",
        ),
    ],
)
def test_bad_licences_are_refused_with_codes(label_owner, masters, platform, changes, status, code):
    assert _grant(label_owner.client, masters).status_code == 201

    response = _grant(label_owner.client, masters, **changes)

    assert response.status_code == status and response.json()["error"]["code"] == code
    assert Licence.objects.count() == 1


def test_licences_in_other_territories_or_periods_do_not_overlap(label_owner, masters, platform):
    first = _grant(label_owner.client, masters, ends_on=str(TODAY))
    assert first.status_code == 201
    later = _grant(label_owner.client, masters, starts_on=str(TODAY + datetime.timedelta(days=1)))
    elsewhere = _grant(label_owner.client, masters, territories=["JP"])
    overlap = _grant(label_owner.client, masters, territories=["FR"], starts_on=str(TODAY))

    assert later.status_code == 201 and elsewhere.status_code == 201
    assert overlap.status_code == 409 and overlap.json()["error"]["message"] == MESSAGE_OVERLAP


def test_only_the_catalogues_owner_grants(platform_owner, rival, label_auditor, masters, platform):
    assert _grant(rival.client, masters).status_code == 404  # not their catalogue
    assert _grant(platform_owner.client, masters).json()["error"]["code"] == "not_a_rights_holder"
    assert _grant(label_auditor.client, masters).status_code == 403


def test_model_versions_record_only_usable_licences(label_owner, platform_owner, masters, rival):
    usable = _grant(label_owner.client, masters).json()["id"]
    expired = _grant(
        label_owner.client,
        masters,
        territories=["JP"],
        starts_on="2020-01-01",
        ends_on="2020-12-31",
    ).json()["id"]
    created = platform_owner.client.post(
        "/api/model-versions/", {"name": "tf", "version": "1"}, format="json"
    )
    again = platform_owner.client.post("/api/model-versions/", {"name": "tf", "version": "1"}, format="json")
    model = created.json()["id"]
    url = f"/api/model-versions/{model}/licences/"

    refused = platform_owner.client.post(url, {"licences": [usable, expired]}, format="json")
    recorded = platform_owner.client.post(url, {"licences": [usable]}, format="json")

    assert created.status_code == 201 and again.json()["error"]["code"] == "model_version_exists"
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "licence_not_for_training"
    assert refused.json()["error"]["detail"]["licences"] == [expired]
    assert recorded.status_code == 200 and recorded.json()["licences"] == [usable]
    assert label_owner.client.get(f"/api/licences/{usable}/").json()["model_versions"] == [model]
    # The licensor cannot record a model of the licensee's; others see nothing.
    assert label_owner.client.post(url, {"licences": [usable]}, format="json").status_code == 404
    assert rival.client.get("/api/model-versions/").json()["results"] == []
    assert rival.client.post(url, {"licences": [usable]}, format="json").status_code == 404


def _licence(masters, platform, **terms):
    values = {
        "catalogue": masters,
        "licensee": platform,
        "territories": ["WORLD"],
        "starts_on": TODAY - datetime.timedelta(days=1),
        "revenue_share": 10,
        "currency": "EUR",
    } | terms
    return Licence.objects.create(**values)


def _matches(*recordings):
    return [{"recording_id": str(r.id)} for r in recordings]


def test_scan_verdicts_follow_the_scanners_licences(masters, platform, recordings, rival):
    first, second, _ = recordings
    assert _verdict(_matches(first), platform) == "unlicensed_match"  # no licence, closed catalogue

    licence = _licence(masters, platform, training_allowed=True, per_work_opt_in=True)
    licence.opted_in.add(first)

    assert licence_for(first, platform) == licence and licence_for(second, platform) is None
    assert _verdict(_matches(first), platform) == "licensed"
    assert _verdict(_matches(first, second), platform) == "unlicensed_match"  # second not opted in
    assert _verdict(_matches(first), rival.organisation) == "unlicensed_match"  # not their licence
    assert _verdict(_matches(first), platform, on=TODAY - datetime.timedelta(days=2)) == "unlicensed_match"


def test_a_tdm_reservation_opts_out_unless_a_licence_allows_training(masters, platform, recordings):
    _licence(masters, platform, tdm_reserved=True, territories=["FR"])
    assert _verdict(_matches(recordings[0]), platform) == "opted_out"

    _licence(masters, platform, training_allowed=True, territories=["DE"])
    assert _verdict(_matches(recordings[0]), platform) == "licensed"


def test_the_catalogue_flags_decide_only_for_licensees_without_any_licence(
    masters, platform, recordings, rival
):
    masters.training_allowed = True
    masters.save()
    _licence(masters, platform, starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2020, 12, 31))

    assert _verdict(_matches(recordings[0]), rival.organisation) == "licensed"  # standing terms
    assert _verdict(_matches(recordings[0]), platform) == "unlicensed_match"  # its licence expired


def test_an_output_matching_a_recording_licensed_for_output_is_flagged_not_blocked(
    masters, platform, recordings
):
    long_match = Match(
        recording=recordings[0].index_key, score=0.95, query_start_s=0, reference_start_s=0, duration_s=30
    )
    blocked = CheckResult("block", 30.0, [long_match], 1, policy=Policy())

    assert output_licences_apply(blocked, platform).verdict == "block"
    _licence(masters, platform, output_use_allowed=True, per_work_opt_in=True).opted_in.add(recordings[0])
    allowed = output_licences_apply(blocked, platform)
    assert allowed.verdict == "flag" and "licensed for output use" in allowed.note
    other = Match(
        recording=recordings[1].index_key, score=0.9, query_start_s=0, reference_start_s=0, duration_s=20
    )
    mixed = CheckResult("block", 30.0, [long_match, other], 1, policy=Policy())
    assert output_licences_apply(mixed, platform).verdict == "block"  # recording 2 is not licensed
