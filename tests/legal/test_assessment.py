"""Authorship assessment: factors and their evidence from a work's record, in JSON and HTML,
in the evidence bundle, and by API."""

import json
import subprocess
import sys
import zipfile
from io import BytesIO

import pytest
from django.conf import settings

from legal.assessment import DISCLAIMER, assess, assessment_html
from provenance.evidence import evidence_bundle_build, exported_event
from provenance.models import ContributionEvent

pytestmark = pytest.mark.django_db


def _events(work):
    return list(ContributionEvent.objects.filter(work=work).order_by("seq"))


def _counts(assessment) -> dict[str, int]:
    return {f.key: f.count for f in assessment.factors}


def test_factors_of_a_crafted_work_are_found_with_their_counts(crafted_work):
    assessment = assess(_events(crafted_work))

    assert _counts(assessment) == {
        "prompt_design": 1,
        "parameter_choices": 1,
        "selection": 1,
        "iterative_modification": 2,
        "human_lyrics": 2,  # supplied with the request, then replaced by an edit
        "expressive_inputs": 1,
        "ai_generation": 1,
    }
    assert assessment.cautions == []
    selection = assessment.factor("selection").evidence[0]
    assert selection.kind == "selection" and "over 2 alternative(s)" in selection.description
    edits = assessment.factor("iterative_modification").evidence
    assert [e.description.split(" ")[0] for e in edits] == ["fade", "gain"]
    recorded = {e.seq: e.event_hash for e in _events(crafted_work)}
    for factor in assessment.factors:
        assert all(recorded[e.seq] == e.event_hash for e in factor.evidence)


def test_exported_events_give_the_same_assessment_as_rows(crafted_work):
    rows = _events(crafted_work)
    assert assess([exported_event(e) for e in rows]).as_dict() == assess(rows).as_dict()


def test_a_bare_single_generation_shows_the_weak_factors(bare_work):
    assessment = assess(_events(bare_work))

    counts = _counts(assessment)
    assert counts["selection"] == counts["iterative_modification"] == 0
    assert counts["human_lyrics"] == counts["expressive_inputs"] == 0
    assert counts["prompt_design"] == 1 and counts["ai_generation"] == 1
    codes = {c.code for c in assessment.cautions}
    assert codes == {"no_selection_or_edit", "prompts_only", "single_generation"}


def test_every_factor_cites_the_authorities_that_weigh_it(crafted_work):
    factors = assess(_events(crafted_work)).as_dict()["factors"]

    cited = {f["key"]: {w["authority"] for w in f["weighed_by"]} for f in factors}
    assert "li_v_liu" in cited["prompt_design"] and "usco_2025" in cited["prompt_design"]
    assert {"li_v_liu", "usco_2023", "cjeu"} <= cited["selection"]
    text = json.dumps(factors)
    assert "(2023) Jing 0491 Min Chu No. 11279" in text and "88 FR 16190" in text
    assert "C-5/08" in text and "C-145/10" in text and "C-683/17" in text


def test_the_disclaimer_is_in_json_and_html(crafted_work):
    assessment = assess(_events(crafted_work))

    assert assessment.as_dict()["disclaimer"] == DISCLAIMER
    assert "not legal advice, and not a determination of authorship or copyright" in DISCLAIMER
    assert DISCLAIMER in assessment_html(assessment)


def test_html_escapes_recorded_text(crafted_work):
    fragment = assessment_html(assess(_events(crafted_work)))

    assert "<chorus>" not in fragment and "&lt;chorus&gt;" in fragment
    assert "<b>hold</b>" not in fragment and "&lt;b&gt;hold&lt;/b&gt; me &amp; the tide" in fragment


def test_the_bundle_carries_the_assessment_signed_and_the_verifier_passes(crafted_work, tmp_path):
    data = evidence_bundle_build(work=crafted_work)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        stored = json.loads(archive.read("assessment.json"))
        report = archive.read("report.html").decode()
        envelope = json.loads(archive.read("record.dsse.json"))

    assert "assessment.json" in {f["path"] for f in manifest["files"]}
    assert stored["disclaimer"] == DISCLAIMER and stored["work"]["id"] == str(crafted_work.id)
    assert {f["key"]: f["count"] for f in stored["factors"]}["iterative_modification"] == 2
    assert "Authorship assessment" in report and DISCLAIMER in report and "&lt;chorus&gt;" in report
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(data)
    verified = subprocess.run(
        [sys.executable, "-m", "provenance.verify", str(bundle), "--json"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    result = json.loads(verified.stdout)
    failed = [c for c in result["checks"] if not c["ok"] and c["name"] != "keys.pinned"]
    assert failed == []
    assert any(c["name"] == "subject[assessment.json]" and c["ok"] for c in result["checks"])


def test_an_assessment_altered_after_signing_fails_verification(crafted_work):
    """Re-listing the altered file in the (unsigned) manifest does not help: the signed
    statement names the assessment's digest."""
    import hashlib

    from provenance.verify import verify_bundle

    with zipfile.ZipFile(BytesIO(evidence_bundle_build(work=crafted_work))) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    altered = json.loads(files["assessment.json"])
    altered["factors"][0]["count"] = 99
    files["assessment.json"] = json.dumps(altered).encode()
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "assessment.json":
            entry["sha256"] = hashlib.sha256(files["assessment.json"]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()

    failed = {c.name for c in verify_bundle(files).checks if not c.ok}
    assert "subject[assessment.json]" in failed


def test_api_gives_the_assessment_to_members(owner, teammate, crafted_work):
    response = teammate.client.get(f"/api/works/{crafted_work.id}/assessment/")

    assert response.status_code == 200
    body = response.json()
    assert body["disclaimer"] == DISCLAIMER and body["work"]["title"] == "Harbour <Lights>"
    assert {f["key"]: f["count"] for f in body["factors"]}["selection"] == 1
    html = owner.client.get(f"/api/works/{crafted_work.id}/assessment/?type=html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert DISCLAIMER in html.content.decode()


def test_api_hides_the_assessment_from_outsiders_and_anonymous(outsider, anonymous, crafted_work):
    assert outsider.client.get(f"/api/works/{crafted_work.id}/assessment/").status_code == 404
    assert anonymous.get(f"/api/works/{crafted_work.id}/assessment/").status_code == 401
