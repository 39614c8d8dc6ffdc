"""Writes and searches of the similarity service: catalogues, ingestion, matching."""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from config.errors import ForbiddenError, InvalidInputError
from similarity.catalogue_index import index_add, index_for
from similarity.fingerprint import AudioError, Fingerprint, fingerprint
from similarity.index import Match, fingerprint_variants
from similarity.models import Catalogue, Recording, index_key_for

AUDIO_EXTENSIONS = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".m4a", ".aac", ".opus", ".aif", ".aiff"}
CHUNK = 50  # recordings per transaction (and per index write)
METADATA = ("title", "artists", "isrc", "iswc")
MESSAGE_NOT_RIGHTS_HOLDER = "Only rights-holder organisations own catalogues."


class NotARightsHolderError(ForbiddenError):
    code = "not_a_rights_holder"
    default_message = MESSAGE_NOT_RIGHTS_HOLDER


@dataclass(frozen=True)
class IngestItem:
    path: Path
    source_path: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class IngestReport:
    catalogue: str
    ingested: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "catalogue": self.catalogue,
            "ingested": self.ingested,
            "skipped": self.skipped,
            "failed": self.failed,
        }


@transaction.atomic
def catalogue_get_or_create(
    *, organisation: Organisation, name: str, training_allowed: bool = False
) -> Catalogue:
    if organisation.kind != OrganisationKind.RIGHTS_HOLDER:
        raise NotARightsHolderError()
    catalogue = Catalogue.objects.filter(organisation=organisation, name=name).first()
    if catalogue is None:
        catalogue = Catalogue(organisation=organisation, name=name, training_allowed=training_allowed)
        catalogue.full_clean()
        catalogue.save()
    return catalogue


def ingest_items(path: Path) -> list[IngestItem]:
    """A folder (searched recursively for audio) or a CSV manifest with a `path` column."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
        return [IngestItem(file, str(file.relative_to(path))) for file in files]
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        if rows and "path" not in rows[0]:
            raise InvalidInputError(f"{path.name}: the manifest has no 'path' column")
        return [
            IngestItem(
                path.parent / row["path"], row["path"], {k: (row.get(k) or "").strip() for k in METADATA}
            )
            for row in rows
        ]
    raise InvalidInputError(f"{path}: not a folder or a .csv manifest")


def catalogue_ingest(*, catalogue: Catalogue, items: Iterable[IngestItem], progress=None) -> IngestReport:
    """Fingerprint and store every item; same audio twice is skipped, bad files are reported
    and the rest go on. Idempotent: running it again skips what is already in."""
    report = IngestReport(catalogue=catalogue.name)
    items = list(items)
    for start in range(0, len(items), CHUNK):
        ready = []
        for item in items[start : start + CHUNK]:
            try:
                data = item.path.read_bytes()
            except OSError as exc:
                report.failed.append({"path": item.source_path, "error": exc.strerror or str(exc)})
                continue
            digest = hashlib.sha256(data).hexdigest()
            if Recording.objects.filter(catalogue=catalogue, audio_sha256=digest).exists():
                report.skipped += 1
                continue
            try:
                ready.append((item, digest, fingerprint(data)))
            except AudioError as exc:
                report.failed.append({"path": item.source_path, "error": str(exc)})
        stored = _store_recordings(catalogue, ready)
        report.ingested += stored
        report.skipped += len(ready) - stored
        if progress:
            progress(min(start + CHUNK, len(items)), len(items))
    return report


@transaction.atomic
def _store_recordings(catalogue: Catalogue, ready: list[tuple[IngestItem, str, Fingerprint]]) -> int:
    # The catalogue row lock makes one writer of its index file at a time.
    Catalogue.objects.select_for_update().get(pk=catalogue.pk)
    known = set(Recording.objects.filter(catalogue=catalogue).values_list("audio_sha256", flat=True))
    new = []
    for item, digest, print_ in ready:
        if digest in known:  # the same audio twice in one batch, or another process was first
            continue
        known.add(digest)
        recording_id = uuid.uuid4()
        recording = Recording(
            id=recording_id,
            catalogue=catalogue,
            source_path=item.source_path,
            duration_s=round(print_.duration_s, 3),
            audio_sha256=digest,
            index_key=index_key_for(recording_id),
            fingerprint=print_.values.astype("<u4").tobytes(),
            **{k: v for k, v in item.metadata.items() if v},
        )
        recording.full_clean(exclude=["fingerprint"])
        new.append(recording)
    Recording.objects.bulk_create(new)
    if new:
        index_add(catalogue, new)
    return len(new)


def match_rows(matches: list[Match], *, with_source_path: bool = True) -> list[dict[str, Any]]:
    """Index matches as rows naming their recordings, in the order given. An index entry
    whose recording row was rolled back is left out."""
    recordings = {
        r.index_key: r for r in Recording.objects.filter(index_key__in=[m.recording for m in matches])
    }
    rows = []
    for match in matches:
        recording = recordings.get(match.recording)
        if recording is None:
            continue
        row = {"recording_id": str(recording.id), "title": recording.title, "isrc": recording.isrc}
        if with_source_path:
            row["source_path"] = recording.source_path
        row |= {
            "score": match.score,
            "query_start_s": match.query_start_s,
            "reference_start_s": match.reference_start_s,
            "duration_s": match.duration_s,
        }
        rows.append(row)
    return rows


@dataclass(frozen=True)
class MatchReport:
    duration_s: float
    matches: list[dict[str, Any]]


def match_audio(*, data: bytes, catalogues: QuerySet[Catalogue], limit: int = 5) -> MatchReport:
    """Search every given catalogue for `data`, at every speed variant; best first."""
    variants = fingerprint_variants(data)
    queries = {variant: print_.values for variant, print_ in variants.items()}
    found = [m for catalogue in catalogues for m in index_for(catalogue).search(queries, limit=limit)]
    matches = match_rows(sorted(found, key=lambda m: -m.score))
    return MatchReport(duration_s=round(variants[(1.0, False)].duration_s, 3), matches=matches[:limit])


def output_policy_for(organisation: Organisation):
    from similarity.checks import Policy
    from similarity.models import OutputPolicy

    stored = OutputPolicy.objects.filter(organisation=organisation).first()
    if stored is None:
        return Policy()
    return Policy(
        flag_seconds=stored.flag_seconds, block_seconds=stored.block_seconds, min_score=stored.min_score
    )


def output_check_run(*, audio, rate: int, organisation: Organisation):
    """Check new audio against every catalogue (outside any transaction: it reads indexes)."""
    from similarity.checks import check_take

    indexes = [index_for(catalogue) for catalogue in Catalogue.objects.all()]
    return check_take(audio, rate, indexes, output_policy_for(organisation))


@transaction.atomic
def output_check_record(*, take, result) -> Any:
    """Store a take's check and write it to the work's record, with the take's own transaction."""
    from provenance.services import contribution_record
    from similarity.models import OutputCheck

    matches = match_rows(result.matches, with_source_path=False)
    policy = output_policy_for(take.work.organisation).as_dict()
    check = OutputCheck.objects.create(
        take=take,
        verdict=result.verdict,
        matched_seconds=result.matched_seconds,
        matches=matches,
        catalogues=result.catalogues,
        policy=policy,
        note=result.note[:300],
    )
    payload = {
        "take": str(take.id),
        "verdict": result.verdict,
        "matched_seconds": result.matched_seconds,
        "matches": matches,
        "catalogues": result.catalogues,
        "policy": policy,
    }
    contribution_record(work=take.work, kind="check", actor=None, payload=payload)
    return check
