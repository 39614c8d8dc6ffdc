"""Catalogue ingestion: audio fingerprinted into a catalogue, chunk by chunk.

An ingestion is stored item by item, like a scan: each chunk is one Celery task (the next
queued by the last), a worker that dies mid-chunk leaves its items pending for the
redelivered message, and a chunk's recordings, index entries and item outcomes are written
in one transaction. The same audio (SHA-256) is never stored twice in a catalogue, so a
chunk done twice, or a folder ingested again, changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from config.broker import broker_ensure
from config.errors import InvalidInputError
from provenance.bundle import read_zip
from similarity.catalogue_index import index_add
from similarity.fingerprint import AudioError, Fingerprint, fingerprint
from similarity.jobs import chunk_claim, job_finish_if_done, job_progress, progress_of, status_counts
from similarity.models import (
    Catalogue,
    Ingestion,
    IngestionItem,
    Recording,
    index_key_for,
)
from similarity.services import AUDIO_EXTENSIONS, METADATA, IngestItem

INGEST_CHUNK = 20  # items per task and per transaction (and per index write)
MANIFEST_NAME = "manifest.csv"

Progress = Callable[[int, int], None]


@transaction.atomic
def ingestion_create(
    *, catalogue: Catalogue, source: str, items: list[IngestItem], queue: bool = True
) -> Ingestion:
    ingestion = Ingestion.objects.create(catalogue=catalogue, source=source[:1000])
    IngestionItem.objects.bulk_create(
        IngestionItem(ingestion=ingestion, path=i.source_path, file=str(i.path), metadata=i.metadata)
        for i in items
    )
    if queue:
        broker_ensure()
        transaction.on_commit(lambda: _queue(ingestion.id), robust=True)
    return ingestion


def ingestion_from_upload(*, catalogue: Catalogue, name: str, files: dict[str, bytes]) -> Ingestion:
    """Uploaded audio, as files or as the members of one zip (whose `manifest.csv`, if any,
    names titles, artists, ISRC and ISWC by path). Written under media/ingestions/<id>/;
    zip paths are checked by read_zip, so nothing lands outside that folder."""
    if len(files) == 1 and next(iter(files)).lower().endswith(".zip"):
        files = read_zip(next(iter(files.values())))
    metadata = _manifest_metadata(files.pop(MANIFEST_NAME, None))
    audio = {m: content for m, content in sorted(files.items()) if Path(m).suffix.lower() in AUDIO_EXTENSIONS}
    if not audio:
        raise InvalidInputError(
            "The upload holds no audio file.", detail={"extensions": sorted(AUDIO_EXTENSIONS)}
        )
    with transaction.atomic():
        broker_ensure()  # before any file is written
        ingestion = ingestion_create(catalogue=catalogue, source=name, items=[], queue=False)
        folder = Path(settings.MEDIA_ROOT) / "ingestions" / str(ingestion.id)
        items = []
        for member, content in audio.items():
            target = folder / member
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            items.append(
                IngestionItem(
                    ingestion=ingestion, path=member, file=str(target), metadata=metadata.get(member, {})
                )
            )
        IngestionItem.objects.bulk_create(items)
        transaction.on_commit(lambda: _queue(ingestion.id), robust=True)
    return ingestion


def _manifest_metadata(data: bytes | None) -> dict[str, dict[str, str]]:
    if data is None:
        return {}
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInputError(f"{MANIFEST_NAME}: {exc}") from None
    if rows and "path" not in rows[0]:
        raise InvalidInputError(f"{MANIFEST_NAME} has no 'path' column")
    return {row["path"]: {k: (row.get(k) or "").strip() for k in METADATA if row.get(k)} for row in rows}


def _queue(ingestion_id) -> None:
    from similarity.tasks import ingestion_process

    ingestion_process.delay(str(ingestion_id))


def ingestion_process_chunk(*, ingestion_id, size: int = INGEST_CHUNK) -> bool:
    """Ingest up to `size` pending items; True while some remain."""
    items = IngestionItem.objects.filter(ingestion_id=ingestion_id)
    chunk = chunk_claim(Ingestion, ingestion_id, items, size)
    catalogue = Catalogue.objects.get(ingestions__id=ingestion_id)
    ready, failed = [], {}
    for item in chunk:  # fingerprinting, the slow part, holds no lock
        try:
            item.metadata = _identifiers_normalised(item.metadata)
            data = Path(item.file).read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            ready.append((item, digest, _fingerprint_unless_known(catalogue, digest, data)))
        except OSError as exc:
            failed[item.id] = exc.strerror or str(exc)
        except (AudioError, InvalidInputError) as exc:
            failed[item.id] = str(exc)
    with transaction.atomic():
        _store(catalogue, ready, failed)
        return job_finish_if_done(Ingestion, ingestion_id, items)


def _identifiers_normalised(metadata: dict[str, str]) -> dict[str, str]:
    """ISRC and ISWC as stored everywhere else (legal.identifiers); a malformed one fails the item."""
    from legal.identifiers import isrc_normalise, iswc_normalise

    checked = dict(metadata)
    for name, normalise in (("isrc", isrc_normalise), ("iswc", iswc_normalise)):
        if checked.get(name):
            checked[name] = normalise(checked[name])
    return checked


def _fingerprint_unless_known(catalogue: Catalogue, digest: str, data: bytes) -> Fingerprint | None:
    if Recording.objects.filter(catalogue=catalogue, audio_sha256=digest).exists():
        return None
    return fingerprint(data)


def _store(
    catalogue: Catalogue,
    ready: list[tuple[IngestionItem, str, Fingerprint | None]],
    failed: dict[int, str],
) -> None:
    """One chunk's outcome. The catalogue row lock makes one writer of its recordings and
    index file at a time; items another worker finished meanwhile are left as they are."""
    Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    ids = [item.id for item, _, _ in ready] + list(failed)
    still_pending = set(
        IngestionItem.objects.select_for_update()
        .filter(id__in=ids, status=IngestionItem.Status.PENDING)
        .values_list("id", flat=True)
    )
    known = dict(Recording.objects.filter(catalogue=catalogue).values_list("audio_sha256", "id"))
    new, changed = [], []
    for item, digest, print_ in ready:
        if item.id not in still_pending:
            continue
        if digest in known or print_ is None:  # stored before, or earlier in this chunk
            item.status, item.recording_id = IngestionItem.Status.SKIPPED, known.get(digest)
        else:
            recording = _recording(catalogue, item, digest, print_)
            known[digest] = recording.id
            new.append(recording)
            item.status, item.recording_id = IngestionItem.Status.INGESTED, recording.id
        changed.append(item)
    changed += [
        IngestionItem(id=item_id, status=IngestionItem.Status.FAILED, error=error[:500])
        for item_id, error in failed.items()
        if item_id in still_pending
    ]
    Recording.objects.bulk_create(new)
    if new:
        index_add(catalogue, new)
    IngestionItem.objects.bulk_update(changed, ["status", "recording", "error"])


def _recording(catalogue: Catalogue, item: IngestionItem, digest: str, print_: Fingerprint) -> Recording:
    recording_id = uuid.uuid4()
    recording = Recording(
        id=recording_id,
        catalogue=catalogue,
        source_path=item.path,
        duration_s=round(print_.duration_s, 3),
        audio_sha256=digest,
        index_key=index_key_for(recording_id),
        fingerprint=print_.values.astype("<u4").tobytes(),
        **{k: v for k, v in item.metadata.items() if k in METADATA and v},
    )
    recording.full_clean(exclude=["fingerprint"])
    return recording


def ingestion_run(*, ingestion_id, progress: Progress | None = None) -> Ingestion:
    """All of an ingestion, in this process (the CLI), reporting (done, total) per chunk."""
    total = IngestionItem.objects.filter(ingestion_id=ingestion_id).count()
    while ingestion_process_chunk(ingestion_id=ingestion_id):
        if progress:
            progress(total - _pending(ingestion_id), total)
    if progress:
        progress(total, total)
    return Ingestion.objects.get(pk=ingestion_id)


def _pending(ingestion_id) -> int:
    pending = IngestionItem.objects.filter(ingestion_id=ingestion_id, status=IngestionItem.Status.PENDING)
    return pending.count()


def ingestion_counts(ingestion: Ingestion) -> dict[str, int]:
    return status_counts(IngestionItem.objects.filter(ingestion=ingestion), IngestionItem.Status.values)


def ingestion_progress(ingestion: Ingestion) -> float:
    return job_progress(IngestionItem.objects.filter(ingestion=ingestion))


def ingestion_failures(ingestion: Ingestion) -> list[dict[str, str]]:
    return list(ingestion.items.filter(status=IngestionItem.Status.FAILED).values("path", "error"))


def ingestion_report(ingestion: Ingestion) -> dict[str, Any]:
    """What the CLI prints and the API returns: counts, and every failure with its reason."""
    counts = ingestion_counts(ingestion)
    pending = counts[IngestionItem.Status.PENDING]
    return {
        "ingestion": str(ingestion.id),
        "catalogue": ingestion.catalogue.name,
        "status": ingestion.status,
        "progress": progress_of(pending=pending, total=sum(counts.values())),
        "ingested": counts[IngestionItem.Status.INGESTED],
        "skipped": counts[IngestionItem.Status.SKIPPED],
        "pending": pending,
        "failed": ingestion_failures(ingestion),
    }


def catalogue_ingest(
    *, catalogue: Catalogue, items: list[IngestItem], source: str = "", progress: Progress | None = None
) -> dict[str, Any]:
    """Ingest `items` now, in this process; the ingestion's report."""
    ingestion = ingestion_create(catalogue=catalogue, source=source, items=items, queue=False)
    return ingestion_report(ingestion_run(ingestion_id=ingestion.id, progress=progress))
