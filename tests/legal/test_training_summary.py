"""The EU public summary of training content, drafted from training-data scans: sections,
provider fields left to complete, HTML, API isolation and the CLI."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import OrganisationKind
from legal.training_summary import MESSAGE_UNKNOWN_SCANS, build_summary, summary_html
from similarity.ingestion import catalogue_ingest
from similarity.scans import scan_create, scan_run
from similarity.services import IngestItem, catalogue_get_or_create, ingest_items
from tests.accounts.factories import OrganisationFactory
from tests.similarity.conftest import excerpt, track

pytestmark = pytest.mark.django_db


def _label(slug, tracks, tmp_path, *, training_allowed=False, tdm_reserved=False):
    label = OrganisationFactory(slug=slug, name=f"{slug} <Ltd>", kind=OrganisationKind.RIGHTS_HOLDER)
    entry = catalogue_get_or_create(organisation=label, name="Masters", training_allowed=training_allowed)
    entry.tdm_reserved = tdm_reserved
    entry.save()
    items = []
    for name, data in tracks.items():
        path = tmp_path / f"{slug}-{name}.wav"
        path.write_bytes(data)
        items.append(IngestItem(path, path.name, {"title": name}))
    catalogue_ingest(catalogue=entry, items=items)


@pytest.fixture(scope="module")
def recordings():
    return {
        name: track(tags, seed=300 + n, seconds=30)
        for n, (name, tags) in enumerate(
            [("Closed", ("jazz",)), ("Open", ("rock",)), ("Reserved", ("electronic", "dark"))]
        )
    }


@pytest.fixture
def scan(owner, recordings, tmp_path):
    _label("closed-label", {"Closed": recordings["Closed"]}, tmp_path)
    _label("open-label", {"Open": recordings["Open"]}, tmp_path, training_allowed=True)
    _label("reserved-label", {"Reserved": recordings["Reserved"]}, tmp_path, tdm_reserved=True)
    root = tmp_path / "dataset"
    root.mkdir()
    (root / "a.wav").write_bytes(excerpt(recordings["Closed"], 10, 10))
    (root / "b.wav").write_bytes(excerpt(recordings["Open"], 5, 10))
    (root / "c.wav").write_bytes(excerpt(recordings["Reserved"], 20, 10))
    (root / "d.wav").write_bytes(excerpt(track(("folk",), seed=4242, seconds=20), 4, 10))
    items = ingest_items(root)
    created = scan_create(organisation=owner.organisation, source="dataset", items=items, queue=False)
    return scan_run(scan_id=created.id)


def _summary(scan, **kwargs):
    return build_summary(
        provider={"name": "Aurora Studio"},
        model={"name": "harbour-gen", "version": "1.0"},
        scans=[scan],
        **kwargs,
    )


def test_sections_are_filled_from_the_scan(scan):
    summary = _summary(scan)
    general = summary["sections"]["1_general_information"]
    sources = summary["sections"]["2_list_of_data_sources"]
    processing = summary["sections"]["3_data_processing_aspects"]["3_1_tdm_reservation_of_rights"]

    audio = general["1_3_modalities"]["audio"]
    assert audio["items_scanned"] == 4 and audio["items_of_unknown_duration"] == 0
    assert 39 < audio["duration_s_scanned"] < 41
    assert sources["scanned_content"]["verdicts"] == {
        "licensed": 1,
        "unlicensed_match": 1,
        "opted_out": 1,
        "no_match": 1,
        "failed": 0,
        "pending": 0,
    }
    licensed = sources["2_2_private_datasets_from_third_parties"]["licensed_data"]["matched_catalogues"]
    assert licensed == [{"licensor": "open-label <Ltd>", "catalogue": "Masters", "items": 1, "recordings": 1}]
    assert processing["items_matching_opted_out_recordings"] == 1
    assert processing["opted_out_items"][0]["path"] == "c.wav"
    assert processing["opted_out_items"][0]["licensor"] == "reserved-label <Ltd>"
    assert processing["action_taken_on_opted_out_items"] == {
        "to_complete": processing["action_taken_on_opted_out_items"]["to_complete"]
    }
    assert [i["path"] for i in processing["unlicensed_items"]] == ["a.wav"]
    assert summary["scans"][0]["id"] == str(scan.id)


def test_what_songproof_does_not_know_is_left_for_the_provider_and_licences_are_listed(scan):
    licence = {"licensor": "open-label", "catalogue": "Masters", "training_allowed": True, "secret": "x"}
    summary = _summary(scan, licences=[licence])

    general = summary["sections"]["1_general_information"]
    assert general["1_1_provider"]["name"] == "Aurora Studio"
    assert "to_complete" in general["1_1_provider"]["contact"]
    assert "to_complete" in general["1_2_model"]["placed_on_market"]
    assert general["1_2_model"]["versions"] == "1.0"
    for path in (
        "1_general_information.1_1_provider.contact",
        "2_list_of_data_sources.2_1_publicly_available_datasets",
        "2_list_of_data_sources.2_3_crawled_and_scraped_data",
        "2_list_of_data_sources.2_4_user_data",
        "2_list_of_data_sources.2_5_synthetic_data",
        "2_list_of_data_sources.2_6_other_sources",
        "3_data_processing_aspects.3_2_removal_of_illegal_content",
    ):
        assert path in summary["to_complete"]
    assert "1_general_information.1_1_provider.name" not in summary["to_complete"]
    listed = summary["sections"]["2_list_of_data_sources"]["2_2_private_datasets_from_third_parties"]
    assert listed["licensed_data"]["licences"] == [
        {"licensor": "open-label", "catalogue": "Masters", "training_allowed": True}
    ]


def test_html_has_every_section_marks_open_fields_and_escapes(scan):
    page = summary_html(_summary(scan))

    for title in (
        "1. General information",
        "2.2 Private non-publicly available",
        "2.3 Data crawled",
        "3.1 Respect of reservation of rights",
        "3.2 Removal of illegal content",
    ):
        assert title in page
    assert "To complete by the provider" in page
    assert "reserved-label &lt;Ltd&gt;" in page and "reserved-label <Ltd>" not in page


def test_api_gives_json_and_html_of_the_organisation_s_scans(owner, teammate, scan):
    url = f"/api/training-summaries/?scan={scan.id}&model_name=harbour-gen&model_version=2"
    response = teammate.client.get(url)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sections"]["1_general_information"]["1_2_model"]["versions"] == "2"
    assert body["sections"]["1_general_information"]["1_1_provider"]["name"] == owner.organisation.name
    page = owner.client.get(url + "&type=html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")


def test_api_hides_other_organisations_scans(outsider, anonymous, owner, scan):
    url = f"/api/training-summaries/?scan={scan.id}&model_name=m"
    response = outsider.client.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == MESSAGE_UNKNOWN_SCANS
    assert anonymous.get(url).status_code == 401
    assert owner.client.get("/api/training-summaries/?scan=not-a-uuid&model_name=m").status_code == 404
    assert owner.client.get(f"/api/training-summaries/?scan={scan.id}").status_code == 400


def test_cli_writes_json_and_html_and_refuses_another_organisation_s_scan(
    owner, outsider, scan, tmp_path, capsys
):
    page = tmp_path / "summary.html"
    call_command(
        "training_summary",
        "--org",
        owner.organisation.slug,
        "--scan",
        str(scan.id),
        "--model",
        "harbour-gen",
        "--version",
        "1.0",
        "--html",
        str(page),
        "--json",
    )
    summary = json.loads(capsys.readouterr().out)

    assert summary["sections"]["2_list_of_data_sources"]["scanned_content"]["items"] == 4
    assert "3.1 Respect of reservation of rights" in page.read_text()
    with pytest.raises(CommandError, match="No such scan"):
        call_command(
            "training_summary", "--org", outsider.organisation.slug, "--scan", str(scan.id), "--model", "m"
        )
