"""Writes and searches of the similarity service: catalogues, ingestion, matching."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from config.errors import ConflictError, ForbiddenError, InvalidInputError
from similarity.catalogue_index import index_for
from similarity.fingerprint import PLAIN
from similarity.index import Match, fingerprint_variants
from similarity.models import Catalogue, Recording

AUDIO_EXTENSIONS = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".m4a", ".aac", ".opus", ".aif", ".aiff"}
CHUNK = 50  # recordings per transaction (and per index write)
METADATA = ("title", "artists", "isrc", "iswc")
MESSAGE_NOT_RIGHTS_HOLDER = "Only rights-holder organisations own catalogues."


class NotARightsHolderError(ForbiddenError):
    code = "not_a_rights_holder"
    default_message = MESSAGE_NOT_RIGHTS_HOLDER


class CatalogueExistsError(ConflictError):
    code = "catalogue_exists"
    default_message = "Your organisation already has a catalogue of that name."


@dataclass(frozen=True)
class IngestItem:
    path: Path
    source_path: str
    metadata: dict[str, str] = field(default_factory=dict)


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


@transaction.atomic
def catalogue_create(
    *, organisation: Organisation, name: str, training_allowed: bool = False, tdm_reserved: bool = False
) -> Catalogue:
    if organisation.kind != OrganisationKind.RIGHTS_HOLDER:
        raise NotARightsHolderError()
    if Catalogue.objects.filter(organisation=organisation, name=name).exists():
        raise CatalogueExistsError(detail={"name": name})
    catalogue = Catalogue(
        organisation=organisation, name=name, training_allowed=training_allowed, tdm_reserved=tdm_reserved
    )
    catalogue.full_clean()
    catalogue.save()
    return catalogue


def ingest_items(path: Path) -> list[IngestItem]:
    """A folder (searched recursively for audio) or a CSV manifest with a `path` column."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
        return [IngestItem(file, str(file.relative_to(path))) for file in files]
    if path.suffix.lower() == ".csv":
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInputError(f"{path.name}: {exc}") from None
        if rows and "path" not in rows[0]:
            raise InvalidInputError(f"{path.name}: the manifest has no 'path' column")
        if any(row["path"] is None for row in rows):  # a row shorter than the header
            raise InvalidInputError(f"{path.name}: a row has no 'path' value")
        return [
            IngestItem(
                path.parent / row["path"], row["path"], {k: (row.get(k) or "").strip() for k in METADATA}
            )
            for row in rows
        ]
    raise InvalidInputError(f"{path}: not a folder or a .csv manifest")


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
    matches = match_rows(sorted(found, key=lambda m: -m.strength))
    return MatchReport(duration_s=round(variants[PLAIN].duration_s, 3), matches=matches[:limit])


def output_policy_for(organisation: Organisation):
    from similarity.checks import Policy
    from similarity.models import OutputPolicy

    stored = OutputPolicy.objects.filter(organisation=organisation).first()
    if stored is None:
        return Policy()
    return Policy(
        flag_seconds=stored.flag_seconds, block_seconds=stored.block_seconds, min_score=stored.min_score
    )


def output_checks_run(*, audios: list, rate: int, organisation: Organisation) -> list:
    """Check new audio (each of a generation's takes) against every catalogue, with the
    indexes and the organisation's policy read once (outside any transaction)."""
    from similarity.checks import check_take

    indexes = [index_for(catalogue) for catalogue in Catalogue.objects.all()]
    policy = output_policy_for(organisation)
    return [output_licences_apply(check_take(audio, rate, indexes, policy), organisation) for audio in audios]


def output_licences_apply(result, organisation: Organisation):
    """Matches of recordings whose licence lets `organisation` use them in outputs do not
    block: the take is judged on its unlicensed matches, and flagged at least, so a person
    sees that licensed material is in it (and the royalty engine can attribute it)."""
    from dataclasses import replace

    from legal.selectors import licence_for

    if result.verdict == "allow":
        return result
    recordings = Recording.objects.filter(index_key__in=[m.recording for m in result.matches])
    licensed = {
        r.index_key
        for r in recordings.select_related("catalogue")
        if licence_for(r, organisation, purpose="output")
    }
    if not licensed:
        return result
    unlicensed = max((m.duration_s for m in result.matches if m.recording not in licensed), default=0.0)
    verdict = result.policy.verdict_for(unlicensed)
    note = f"{len(licensed)} matched recording(s) licensed for output use"
    return replace(result, verdict="flag" if verdict == "allow" else verdict, note=note)


@transaction.atomic
def output_check_record(*, take, result) -> Any:
    """Store a take's check and write it to the work's record, with the take's own transaction."""
    from provenance.services import contribution_record
    from similarity.models import OutputCheck

    matches = match_rows(result.matches, with_source_path=False)
    policy = result.policy.as_dict()
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


MESSAGE_POLICY_ORDER = "The blocking threshold cannot be lower than the flagging threshold."
MESSAGE_POLICY_SCORE = "The minimum score lies between 0 and 1."
MESSAGE_POLICY_NEGATIVE = "Seconds cannot be negative."


@transaction.atomic
def output_policy_set(
    *, organisation: Organisation, flag_seconds: float, block_seconds: float, min_score: float
):
    """The organisation's output-check policy, created or changed; checks made from now on use it."""
    from similarity.models import OutputPolicy

    if flag_seconds < 0 or block_seconds < 0:
        raise InvalidInputError(MESSAGE_POLICY_NEGATIVE, detail={"flag_seconds": flag_seconds})
    if block_seconds < flag_seconds:
        raise InvalidInputError(MESSAGE_POLICY_ORDER, detail={"block_seconds": block_seconds})
    if not 0 <= min_score <= 1:
        raise InvalidInputError(MESSAGE_POLICY_SCORE, detail={"min_score": min_score})
    policy, _ = OutputPolicy.objects.select_for_update().get_or_create(organisation=organisation)
    policy.flag_seconds, policy.block_seconds, policy.min_score = flag_seconds, block_seconds, min_score
    policy.full_clean()
    policy.save()
    return policy
