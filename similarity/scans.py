"""Training-data scans: every item of a dataset matched against every catalogue.

A scan is stored item by item, so it is processed in chunks (one Celery task each, the next
queued by the last), resumes where it stopped if a worker dies (a chunk's message goes back
on the queue: acks_late), and never does an item twice.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from config.broker import broker_ensure
from provenance.bundle import read_zip
from similarity.fingerprint import AudioError
from similarity.jobs import chunk_claim, job_finish_if_done
from similarity.models import Catalogue, Recording, Scan, ScanItem, ScanVerdict
from similarity.services import AUDIO_EXTENSIONS, IngestItem, match_audio

SCAN_CHUNK = 25
REPORT_COLUMNS = ["path", "status", "verdict", "best_match", "best_score", "catalogue", "error"]


@transaction.atomic
def scan_create(
    *, organisation: Organisation, source: str, items: list[IngestItem], queue: bool = True
) -> Scan:
    scan = Scan.objects.create(organisation=organisation, source=source[:1000])
    ScanItem.objects.bulk_create(ScanItem(scan=scan, path=i.source_path, file=str(i.path)) for i in items)
    if queue:
        broker_ensure()
        transaction.on_commit(lambda: _queue(scan.id), robust=True)
    return scan


def scan_from_archive(*, organisation: Organisation, name: str, data: bytes) -> Scan:
    """An uploaded zip: its audio members are written under media/scans/<scan>/ (paths are
    checked by read_zip: nothing can land outside that folder), the rest ignored."""
    members = read_zip(data)
    with transaction.atomic():
        broker_ensure()  # before any file is written
        scan = scan_create(organisation=organisation, source=name, items=[], queue=False)
        folder = Path(settings.MEDIA_ROOT) / "scans" / str(scan.id)
        items = []
        for member, content in sorted(members.items()):
            if Path(member).suffix.lower() not in AUDIO_EXTENSIONS:
                continue
            target = folder / member
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            items.append(ScanItem(scan=scan, path=member, file=str(target)))
        ScanItem.objects.bulk_create(items)
        transaction.on_commit(lambda: _queue(scan.id), robust=True)
    return scan


def _queue(scan_id) -> None:
    from similarity.tasks import scan_process

    scan_process.delay(str(scan_id))


def _verdict(matches: list[dict], organisation: Organisation | None = None, on=None) -> str:
    """The worst of the matched recordings' verdicts for the scan's organisation as licensee,
    through its licences (legal.selectors.training_verdict)."""
    from legal.selectors import training_verdict

    if not matches:
        return ScanVerdict.NO_MATCH
    on = on or timezone.localdate()
    recordings = Recording.objects.filter(id__in=[m["recording_id"] for m in matches]).select_related(
        "catalogue"
    )
    verdicts = {training_verdict(recording, organisation, on=on) for recording in recordings}
    for verdict in (ScanVerdict.OPTED_OUT, ScanVerdict.UNLICENSED):
        if verdict in verdicts:
            return verdict
    return ScanVerdict.LICENSED


def scan_process_chunk(*, scan_id, size: int = SCAN_CHUNK) -> bool:
    """Process up to `size` pending items; True while some remain."""
    items = ScanItem.objects.filter(scan_id=scan_id)
    chunk = chunk_claim(Scan, scan_id, items, size)
    catalogues = Catalogue.objects.all()
    organisation = Scan.objects.select_related("organisation").get(pk=scan_id).organisation
    for item in chunk:
        _scan_item(item, catalogues, organisation)
    with transaction.atomic():
        return job_finish_if_done(Scan, scan_id, items)


def _scan_item(item: ScanItem, catalogues, organisation: Organisation) -> None:
    try:
        report = match_audio(data=Path(item.file).read_bytes(), catalogues=catalogues)
    except (OSError, AudioError) as exc:
        item.status, item.error = ScanItem.Status.FAILED, (getattr(exc, "strerror", None) or str(exc))[:500]
    else:
        item.status, item.matches, item.verdict = (
            ScanItem.Status.DONE,
            report.matches,
            _verdict(report.matches, organisation),
        )
    item.save(update_fields=["status", "error", "matches", "verdict"])


def scan_run(*, scan_id) -> Scan:
    """All of a scan, in this process (the CLI)."""
    while scan_process_chunk(scan_id=scan_id):
        pass
    return Scan.objects.get(pk=scan_id)


def scan_counts(scan: Scan) -> dict[str, int]:
    items = ScanItem.objects.filter(scan=scan)
    counts = {verdict: items.filter(verdict=verdict).count() for verdict in ScanVerdict.values}
    return counts | {
        "failed": items.filter(status="failed").count(),
        "pending": items.filter(status="pending").count(),
    }


def scan_rows(scan: Scan) -> list[dict]:
    items = list(scan.items.all())
    best_ids = [m["recording_id"] for i in items for m in i.matches[:1]]
    catalogue_names = {
        str(recording): name
        for recording, name in Recording.objects.filter(id__in=best_ids).values_list("id", "catalogue__name")
    }
    rows = []
    for item in items:
        best = item.matches[0] if item.matches else {}
        rows.append(
            {
                "path": item.path,
                "status": item.status,
                "verdict": item.verdict,
                "best_match": best.get("title") or best.get("source_path", ""),
                "best_score": best.get("score", ""),
                "catalogue": catalogue_names.get(best.get("recording_id"), ""),
                "error": item.error,
                "matches": item.matches,
            }
        )
    return rows


def scan_csv(scan: Scan) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(scan_rows(scan))
    return buffer.getvalue()
