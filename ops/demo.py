"""The song's journey (design.md §2) on whatever is configured, step by step.

Each step works through the same services and HTTP API a user would, and adds its part to
the summary. Later parts of the journey (generate, check, select, edit, export, evidence,
authorship assessment, training summary) add their steps here as they are built.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test import Client

from accounts.models import Membership, Organisation
from accounts.roles import OrganisationKind, Role
from accounts.services import membership_create, organisation_create, token_issue, token_revoke

CAST = (
    # slug, name, kind, members (username, role)
    (
        "aurora-studio",
        "Aurora Studio",
        OrganisationKind.CREATOR_STUDIO,
        [("ada", Role.OWNER), ("ben", Role.CREATOR)],
    ),
    ("northwind-records", "Northwind Records", OrganisationKind.RIGHTS_HOLDER, [("nora", Role.OWNER)]),
    ("streamco", "StreamCo", OrganisationKind.PLATFORM, [("sam", Role.OWNER), ("cleo", Role.COMPLIANCE)]),
)

# The label's demo recordings: file -> (title, ISRC), and who owns them.
DEMO_RECORDINGS = {
    "recording-1.wav": ("Harbour Swing", "GBNWM2600001"),
    "recording-2.wav": ("Morning Fields", "GBNWM2600002"),
    "recording-3.wav": ("Night Circuit", "GBNWM2600003"),
}
DEMO_PARTIES = (("Northwind Records", "company"), ("Mira Stone", "person"), ("Theo Vance", "person"))
DEMO_MASTER_SHARES = {  # the label, the performer Theo Vance: each recording's sum is 100
    "recording-1.wav": {"Northwind Records": "100"},
    "recording-2.wav": {"Northwind Records": "80", "Theo Vance": "20"},
    "recording-3.wav": {"Northwind Records": "60", "Theo Vance": "40"},
}
DEMO_ISWC = "T0345246801"  # "Harbour Swing", written by Mira Stone


@dataclass
class Journey:
    say: Callable[[str], None]
    summary: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # username -> secret

    def api(self, method: str, path: str, *, as_user: str | None = None, **kwargs):
        """Call the HTTP API in process, through the full middleware and auth stack."""
        headers = {"Authorization": f"Bearer {self.tokens[as_user]}"} if as_user else {}
        # Some steps expect 4xx answers, which Django logs as warnings; eager tasks log each run.
        with _quiet("django.request"), _quiet("celery.app.trace"):
            response = getattr(Client(), method)(
                path, headers=headers, content_type="application/json", **kwargs
            )
        body = json.loads(response.content) if response.content else None
        return response.status_code, body


class DemoError(RuntimeError):
    pass


def _expect(status: int, expected: int, body) -> None:
    if status != expected:
        raise DemoError(f"expected HTTP {expected}, got {status}: {body}")


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _ensure_member(organisation: Organisation, username: str, role: str) -> Membership:
    membership = Membership.objects.filter(organisation=organisation, user__username=username).first()
    return membership or membership_create(organisation=organisation, username=username, role=role)


def step_organisations(journey: Journey) -> None:
    for slug, name, kind, members in CAST:
        organisation = Organisation.objects.filter(slug=slug).first() or organisation_create(
            slug=slug, name=name, kind=kind
        )
        for username, role in members:
            membership = _ensure_member(organisation, username, role)
            for stale in membership.tokens.filter(name="demo", revoked_at__isnull=True):
                token_revoke(token=stale)
            journey.tokens[username] = token_issue(membership=membership, name="demo").secret
        journey.say(f"organisation  {slug:<18} {kind:<15} members: {', '.join(u for u, _ in members)}")
    studio = Organisation.objects.get(slug=CAST[0][0])
    journey.summary["organisation"] = {"id": str(studio.id), "slug": studio.slug, "name": studio.name}
    journey.summary["organisations"] = [slug for slug, *_ in CAST]
    journey.summary["token"] = {"user": "ada", "token": journey.tokens["ada"]}


def step_health(journey: Journey) -> None:
    status, body = journey.api("get", "/api/health/")
    checks = ", ".join(
        f"{name} {'ok' if c['ok'] else 'DOWN'} ({c['detail']})" for name, c in body["checks"].items()
    )
    journey.say(f"health        HTTP {status}: {checks}")
    journey.summary["health"] = body


def step_isolation(journey: Journey) -> None:
    studio_id = journey.summary["organisation"]["id"]
    own, me = journey.api("get", "/api/me/", as_user="ada")
    foreign, _ = journey.api("get", f"/api/organisations/{studio_id}/", as_user="nora")
    journey.say(f"api           ada (owner, aurora-studio) GET /api/me/ -> {own}, role {me['role']}")
    journey.say(f"isolation     nora (northwind-records) GET aurora-studio -> {foreign}")
    journey.summary["isolation"] = {"owner_status": own, "outsider_status": foreign}


def step_work(journey: Journey) -> None:
    status, work = journey.api("post", "/api/works/", as_user="ada", data={"title": "Midnight Harbour"})
    _expect(status, 201, work)
    note = {"text": "Wrote the chorus lyrics by hand before generating anything."}
    status, event = journey.api("post", f"/api/works/{work['id']}/notes/", as_user="ben", data=note)
    _expect(status, 201, event)
    journey.say(f"work          {work['title']} ({work['id']}): work.created by ada, note by ben")
    journey.summary["work"] = work


def step_catalogue(journey: Journey) -> None:
    """The label creates a catalogue and uploads a few licensed recordings (made by the builtin
    generator here: no audio ships with the project), so every take below is checked against
    them. The upload is ingested by a Celery task (eager in the embedded default)."""
    from generation.plan import make_plan, parse_tags
    from generation.synth import render, trimmed_to, wav_bytes

    folder = settings.VAR_DIR / "demo" / "catalogue"
    folder.mkdir(parents=True, exist_ok=True)
    for number, tags in enumerate((["jazz"], ["folk", "happy"], ["electronic", "dark"]), start=1):
        path = folder / f"recording-{number}.wav"
        if not path.exists():
            plan = make_plan(parse_tags(tags), master_seed=500 + number, take=0, duration_s=30)
            path.write_bytes(wav_bytes(trimmed_to(render([plan], noise_seed=500 + number)[0], plan)))
    status, catalogues = journey.api("get", "/api/catalogues/", as_user="nora")
    _expect(status, 200, catalogues)
    catalogue = next((c for c in catalogues["results"] if c["name"] == "Northwind Masters"), None)
    if catalogue is None:
        status, catalogue = journey.api(
            "post", "/api/catalogues/", as_user="nora", data={"name": "Northwind Masters"}
        )
        _expect(status, 201, catalogue)
    files = [_upload(path.name, path.read_bytes()) for path in sorted(folder.glob("*.wav"))]
    # The manifest names each recording's ISRC: the rights import finds recordings by ISRC.
    manifest = "path,title,isrc\n" + "".join(f"{p},{t},{i}\n" for p, (t, i) in DEMO_RECORDINGS.items())
    files.append(_upload("manifest.csv", manifest.encode(), content_type="text/csv"))
    headers = {"Authorization": f"Bearer {journey.tokens['nora']}"}
    with _quiet("celery.app.trace"):
        response = Client().post(
            f"/api/catalogues/{catalogue['id']}/ingestions/", {"file": files}, headers=headers
        )
    _expect(response.status_code, 202, response.json())
    status, ingestion = journey.api("get", f"/api/ingestions/{response.json()['id']}/", as_user="nora")
    _expect(status, 200, ingestion)
    counts = ingestion["counts"]
    journey.say(
        f"catalogue     northwind: {counts['ingested']} recordings fingerprinted, "
        f"{counts['skipped']} already in (ingestion {ingestion['status']}, {ingestion['progress']:.0%})"
    )
    journey.summary["catalogue"] = {"catalogue": catalogue["name"], "ingestion": ingestion}


def _demo_rights_document(journey: Journey, recordings: dict[str, dict]) -> dict[str, list]:
    """The label's rights as an import document, without the parties and work it already has
    (an import refuses duplicates; the shares in it replace the stored ones)."""
    _, parties = journey.api("get", "/api/parties/?page_size=100", as_user="nora")
    _, compositions = journey.api("get", "/api/compositions/?page_size=100", as_user="nora")
    known = {p["name"] for p in parties["results"]}
    isrcs = {path: recording["isrc"] for path, recording in recordings.items()}
    document: dict[str, list] = {
        "parties": [{"name": n, "kind": k} for n, k in DEMO_PARTIES if n not in known],
        "master_shares": [
            {"isrc": isrcs[path], "party": party, "share": share}
            for path, shares in DEMO_MASTER_SHARES.items()
            for party, share in shares.items()
        ],
        "publishing_shares": [
            {"composition": DEMO_ISWC, "party": "Mira Stone", "role": "writer"}
            | {"performance_share": "100", "mechanical_share": "100"}
        ],
    }
    if not any(c["iswc"] == DEMO_ISWC for c in compositions["results"]):
        title, isrc = DEMO_RECORDINGS["recording-1.wav"]
        document["compositions"] = [{"title": title, "iswc": DEMO_ISWC, "recordings": isrc}]
    return document


def _demo_licence(journey: Journey, catalogue_id: str) -> dict:
    """The label licenses its catalogue to the studio, once: a later run reuses the licence."""
    _, licences = journey.api("get", "/api/licences/", as_user="nora")
    for licence in licences["results"]:
        if licence["catalogue"] == catalogue_id and licence["licensee"] == "aurora-studio":
            return licence
    body = {
        "catalogue": catalogue_id,
        "licensee": "aurora-studio",
        "training_allowed": True,
        "output_use_allowed": True,
        "territories": ["WORLD"],
        "starts_on": "2026-01-01",
        "revenue_share": "30",
        "currency": "EUR",
    }
    status, licence = journey.api("post", "/api/licences/", as_user="nora", data=body)
    _expect(status, 201, licence)
    return licence


def step_royalties(journey: Journey) -> None:
    """The label imports its rights and licenses the catalogue to the studio; the studio
    reports a period's usage and net revenue and gets the statement, which sums to the cent."""
    from django.utils import timezone

    _, catalogues = journey.api("get", "/api/catalogues/", as_user="nora")
    catalogue = next(c for c in catalogues["results"] if c["name"] == "Northwind Masters")
    _, listed = journey.api("get", f"/api/catalogues/{catalogue['id']}/recordings/", as_user="nora")
    recordings = {r["source_path"]: r for r in listed["results"] if r["source_path"] in DEMO_RECORDINGS}
    if any(not r["isrc"] for r in recordings.values()):
        raise DemoError("the demo recordings have no ISRC (a database from an older demo): remove var/")
    document = _demo_rights_document(journey, recordings)
    status, report = journey.api("post", "/api/rights/imports/", as_user="nora", data=document)
    _expect(status, 200, report)
    journey.say(
        "rights        northwind imports "
        + ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in report["imported"].items())
    )
    licence = _demo_licence(journey, catalogue["id"])
    journey.say(
        f"licence       {catalogue['name']} -> aurora-studio: training and output, "
        f"{Decimal(licence['revenue_share']).normalize():f} % of net revenue, {licence['currency']}"
    )
    entry = _demo_statement(journey, licence, recordings, today=timezone.localdate())
    totals = entry["totals"]
    for total in totals:
        journey.say(f"              {total['name']:<20} {_money(total['total_minor'])} EUR")
    paid = sum(t["total_minor"] for t in totals)
    if paid != entry["amount_minor"]:
        raise DemoError(f"the statement pays {paid}, not {entry['amount_minor']}")
    journey.say(f"              {len(totals)} rights holders, {_money(paid)} EUR: the statement sums exactly")
    journey.summary["royalties"] = {
        "licence": licence["id"],
        "statement": entry["id"],
        "currency": entry["currency"],
        "revenue_minor": entry["revenue_minor"],
        "amount_minor": entry["amount_minor"],
        "totals": totals,
    }


def _money(minor: int) -> str:
    return f"{minor // 100:,}.{minor % 100:02d}"


def _demo_statement(journey: Journey, licence: dict, recordings: dict[str, dict], *, today) -> dict:
    """The studio's usage report: every recording used once in training; outputs matched
    recording 2 for 10 seconds."""
    isrcs = [recordings[path]["isrc"] for path in DEMO_RECORDINGS]
    usage = "recording_id,kind,units,matched_ms\n" + "".join(f"{i},training,1,\n" for i in isrcs)
    usage += f"{isrcs[1]},output,,10000\n"
    body = {
        "revenue_minor": 100000,
        "currency": "EUR",
        "period_start": f"{today.year}-01-01",
        "period_end": today.isoformat(),
        "usage": _upload("usage.csv", usage.encode(), content_type="text/csv"),
    }
    headers = {"Authorization": f"Bearer {journey.tokens['ada']}"}
    response = Client().post(f"/api/licences/{licence['id']}/statements/", body, headers=headers)
    _expect(response.status_code, 201, response.json())
    entry = response.json()
    journey.say(
        f"royalties     aurora-studio reports {_money(entry['revenue_minor'])} EUR net for "
        f"{entry['period_start']}/{entry['period_end']}: {_money(entry['amount_minor'])} EUR due"
    )
    return entry


def step_match(journey: Journey) -> None:
    """The label checks an excerpt of its own recording, and the creator's export, by upload."""
    folder = settings.VAR_DIR / "demo" / "catalogue"
    recording = (folder / "recording-2.wav").read_bytes()
    excerpt = _excerpt(recording, start_s=12, seconds=10)
    headers = {"Authorization": f"Bearer {journey.tokens['nora']}"}
    found = Client().post("/api/match/", {"file": _upload("excerpt.wav", excerpt)}, headers=headers).json()
    best = found["matches"][0] if found["matches"] else None
    where = (
        f"{best['source_path']} at {best['reference_start_s']:.1f} s (score {best['score']:.2f})"
        if best
        else "nothing"
    )
    journey.say(f"match         northwind's 10-s excerpt -> {where}")
    journey.summary["match"] = found


def _excerpt(data: bytes, *, start_s: float, seconds: float) -> bytes:
    from generation.synth import SAMPLE_RATE, read_wav, wav_bytes

    audio, _ = read_wav(data)
    return wav_bytes(audio[:, int(start_s * SAMPLE_RATE) : int((start_s + seconds) * SAMPLE_RATE)])


def _upload(name: str, data: bytes, content_type: str = "audio/wav"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def step_generate(journey: Journey) -> None:
    """Three takes, one chosen, edited, exported: each step through the API, each recorded."""
    work_id = journey.summary["work"]["id"]
    body = {
        "prompt": "harbour lights at midnight",
        "tags": ["pop", "calm"],
        "takes": 3,
        "duration_s": 20,
        "seed": 2026,
    }
    status, request = journey.api("post", f"/api/works/{work_id}/generations/", as_user="ben", data=body)
    _expect(status, 202, request)
    status, request = journey.api("get", f"/api/generations/{request['id']}/", as_user="ben")
    _expect(status, 200, request)
    if request["status"] != "done":
        raise DemoError(f"generation ended {request['status']}: {request['error']}")
    takes = request["results"]
    journey.say(
        f"generate      3 takes, seed {request['seed']}: "
        + ", ".join(f"{t['duration_s']:.1f} s" for t in takes)
    )
    chosen = takes[1]
    status, selection = journey.api("post", f"/api/takes/{chosen['id']}/select/", as_user="ben")
    _expect(status, 201, selection)
    edit = {"operation": "regenerate", "parameters": {"start_bar": 4, "end_bar": 6, "seed": 7}}
    status, redrawn = journey.api("post", f"/api/takes/{chosen['id']}/edits/", as_user="ben", data=edit)
    _expect(status, 201, redrawn)
    fade = {"operation": "fade", "parameters": {"in_s": 0.5, "out_s": 2.0}}
    status, faded = journey.api("post", f"/api/takes/{redrawn['id']}/edits/", as_user="ben", data=fade)
    _expect(status, 201, faded)
    verdicts = ", ".join(t["check"]["verdict"] for t in takes)
    journey.say(f"check         each take against the catalogues: {verdicts}")
    journey.say("select+edit   ben chose take 2 of 3, redrew bars 4-5, faded the ends")
    status, replay = journey.api("post", f"/api/takes/{faded['id']}/replay/", as_user="ben")
    _expect(status, 200, replay)
    status, export = journey.api(
        "post", f"/api/takes/{faded['id']}/exports/", as_user="ben", data={"format": "flac"}
    )
    _expect(status, 201, export)
    journey.say(
        f"export        FLAC {export['sha256'][:16]}…; "
        f"replay of the edited take identical: {replay['identical']}"
    )
    journey.summary["takes"] = [t["id"] for t in takes]
    journey.summary["export"] = {"id": export["id"], "format": "flac", "sha256": export["sha256"]}
    journey.summary["replay"] = {"identical": replay["identical"], "similarity": replay["similarity"]}


def step_verify(journey: Journey) -> None:
    """The export verified by its manifest; then re-encoded to MP3 (which drops the manifest)
    and found again by its soft binding, as anyone holding a copy could check it."""
    export_id = journey.summary["export"]["id"]
    headers = {"Authorization": f"Bearer {journey.tokens['ada']}"}
    exported = Client().get(f"/api/exports/{export_id}/download/", headers=headers)
    _expect(exported.status_code, 200, "the export download")
    signed = b"".join(exported.streaming_content)
    stripped = _mp3(signed)
    verdicts = {}
    for name, data in (("export.flac", signed), ("stripped.mp3", stripped)):
        with _quiet("django.request"):
            response = Client().post("/api/verify/", {"file": _upload(name, data)}, headers=headers)
        _expect(response.status_code, 200, response.json())
        verdicts[name] = response.json()
    own, found = verdicts["export.flac"], verdicts["stripped.mp3"]
    # A second run of the demo exports the same audio again (same seed): the soft binding
    # then names the first run's export, the original.
    if found["recovered_by"] != "soft_binding" or found["work"]["view"] != "full":
        raise DemoError(f"the stripped MP3 was not recovered: {found['recovered_by']}")
    journey.say(
        f"verify        the FLAC: by manifest, C2PA {own['c2pa']['state']}; re-encoded to MP3 128 kbps "
        f"(no manifest): by soft binding, score {found['match']['score']:.2f} -> work {found['work']['id']}"
    )
    journey.summary["verification_service"] = {
        "export": {"recovered_by": own["recovered_by"], "c2pa_state": own["c2pa"]["state"]},
        "stripped_mp3": {
            "recovered_by": found["recovered_by"],
            "work": found["work"]["id"],
            "export": found["match"]["export"],
            "score": found["match"]["score"],
            "c2pa_state": found["c2pa"]["state"],
        },
    }


def _mp3(data: bytes) -> bytes:
    """MP3 at 128 kbps, as a platform's upload pipeline would re-encode it (no C2PA survives)."""
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", "pipe:0", "-b:a", "128k", "-f", "mp3", "pipe:1"]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout  # noqa: S603


def step_evidence(journey: Journey) -> None:
    """Download the evidence bundle and verify it in a separate process, with no database."""
    work_id = journey.summary["work"]["id"]
    folder = settings.VAR_DIR / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    bundle, keys = folder / f"evidence-{work_id}.zip", folder / "keys.json"
    response = Client().get(
        f"/api/works/{work_id}/evidence/", headers={"Authorization": f"Bearer {journey.tokens['ada']}"}
    )
    bundle.write_bytes(response.content)
    keys.write_bytes(Client().get("/api/keys/").content)
    command = [sys.executable, "-m", "provenance.verify", str(bundle), "--json", "--trust", str(keys)]
    verified = subprocess.run(command, capture_output=True, text=True, cwd=settings.BASE_DIR, check=False)  # noqa: S603
    result = json.loads(verified.stdout)
    journey.say(
        f"evidence      {bundle} ({len(response.content)} bytes); offline verifier: "
        f"{'VERIFIED' if result['ok'] else 'NOT VERIFIED'}, {len(result['checks'])} checks, keys pinned"
    )
    journey.say(
        f"              check it yourself: .venv/bin/python -m provenance.verify {bundle} --trust {keys}"
    )
    journey.summary["bundle"] = str(bundle)
    journey.summary["verification"] = {
        "ok": result["ok"],
        "exit_code": verified.returncode,
        "checks": result["checks"],
    }


def step_assessment(journey: Journey) -> None:
    """The work's authorship assessment, as the bundle's report shows it (counts per factor)."""
    work_id = journey.summary["work"]["id"]
    status, assessment = journey.api("get", f"/api/works/{work_id}/assessment/", as_user="ada")
    _expect(status, 200, assessment)
    counts = {f["key"]: f["count"] for f in assessment["factors"]}
    journey.say("assessment    " + ", ".join(f"{key} {count}" for key, count in counts.items()))
    journey.say(f"              {assessment['disclaimer']}")
    journey.summary["assessment"] = {
        "factors": counts,
        "cautions": [c["code"] for c in assessment["cautions"]],
        "disclaimer": assessment["disclaimer"],
    }


def step_training_summary(journey: Journey) -> None:
    """The studio scans a small training set (the label's recordings, licensed to it in the
    royalties step, and one unrelated take) against every catalogue, as `scan_training_data`
    does, then drafts the EU public summary of training content (AI Act Art. 53(1)(d))."""
    from generation.models import Take
    from legal.training_summary import organisation_training_summary, summary_html
    from similarity.scans import scan_counts, scan_create, scan_run
    from similarity.services import ingest_items

    folder = settings.VAR_DIR / "demo" / "training-set"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((settings.VAR_DIR / "demo" / "catalogue").glob("*.wav")):
        (folder / path.name).write_bytes(path.read_bytes())
    unrelated = Take.objects.get(pk=journey.summary["takes"][0])
    with unrelated.audio.open("rb") as handle:
        (folder / "studio-take.wav").write_bytes(handle.read())
    studio = Organisation.objects.get(slug=CAST[0][0])
    scan = scan_create(organisation=studio, source=str(folder), items=ingest_items(folder), queue=False)
    scan = scan_run(scan_id=scan.id)
    model = {"name": "aurora-harbour", "version": "demo"}
    summary = organisation_training_summary(organisation=studio, scan_ids=[str(scan.id)], model=model)
    page = settings.VAR_DIR / "demo" / "training-summary.html"
    page.write_text(summary_html(summary), encoding="utf-8")
    counts = scan_counts(scan)
    journey.say("training scan " + ", ".join(f"{name} {count}" for name, count in counts.items() if count))
    journey.say(f"training sum. {page} ({len(summary['to_complete'])} fields for the provider to complete)")
    journey.summary["training_summary"] = {
        "scan": str(scan.id),
        "counts": counts,
        "html": str(page),
        "to_complete": len(summary["to_complete"]),
    }


STEPS: list[Callable[[Journey], None]] = [
    step_organisations,
    step_health,
    step_isolation,
    step_work,
    step_catalogue,
    step_royalties,
    step_generate,
    step_verify,
    step_match,
    step_evidence,
    step_assessment,
    step_training_summary,
]


def run_journey(say: Callable[[str], None]) -> dict[str, Any]:
    journey = Journey(say=say)
    for step in STEPS:
        step(journey)
    return journey.summary
