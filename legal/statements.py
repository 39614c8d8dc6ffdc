"""Royalty statements from the database: one licence, one period, the licensee's revenue.

The engine (`legal.royalties`) is pure; this module builds its inputs from stored rights and
licences, runs it and keeps the result (`RoyaltyStatement`), so a statement can be listed and
downloaded again exactly as it was computed, whatever changes in the rights later.

Inputs, and the defaults for what a `Licence` does not say (yet):
- **Revenue**: the royalties due are the licensee's reported net revenue times the licence's
  `revenue_share` (a percentage), rounded half up to the minor unit, and at least the
  licence's `minimum_minor` (read as a minimum per statement). Split 50/50 between the
  training pool and the output pool (the engine's default).
- **Terms**: master / composition 50/50, performance / mechanical 50/50, training pool shared
  by usage units ("count"), output pool falling back to the training pool's distribution.
- **Rights**: every recording of the licensed catalogue (under a per-work opt-in licence, the
  opted-in ones) that has master shares; its compositions' publishing shares (writers and
  publishers alike) make its composition right, each composition an equal part when a
  recording embodies several. Recordings without master shares cannot be paid and are left out.
- **Usage**: an uploaded usage CSV (`recording_id` is the recording's id or its ISRC) is the
  whole usage of the period. Without one, usage is derived: the output pool by the seconds the
  licensee's takes made in the period matched each recording (their output checks), when the
  licence allows output use. Training usage is not derived: scans are not linked to the model
  versions trained under a licence, so without a CSV the training pool is shared pro rata
  over the catalogue (the engine's fallback).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction

from config.errors import ApplicationError, ForbiddenError, InvalidInputError
from legal.codes import currency_normalise
from legal.identifiers import isrc_normalise
from legal.models import Licence, Party, RoyaltyStatement
from legal.royalties import (
    LicenceTerms,
    RecordingRights,
    Revenue,
    RightShare,
    RoyaltyError,
    Statement,
    StatementLine,
    UsageLine,
    check_amount,
    statement,
)
from legal.royalty_formats import read_usage_csv, statement_csv, statement_document, statement_html
from similarity.models import OutputCheck, Recording

MESSAGE_CURRENCY_MISMATCH = "The revenue's currency is not the licence's."
MESSAGE_PERIOD = "A statement period cannot end before it starts."
MESSAGE_OUTSIDE_LICENCE = "The statement period lies wholly outside the licence's period."
MESSAGE_UNKNOWN_USAGE = "The usage names recordings of this licence that cannot be paid."
MESSAGE_NOT_LICENSEE = "Only the licensee reports revenue and creates statements."
MESSAGE_UNREADABLE_USAGE = "The usage file is not UTF-8 text."

USAGE_UPLOAD, USAGE_DERIVED = "upload", "derived"


class RoyaltyStatementError(ApplicationError):
    """The engine's `RoyaltyError` as the API's error: same code, message, detail and status."""

    def __init__(self, error: RoyaltyError) -> None:
        super().__init__(error.message, detail=error.detail)
        self.code = error.code  # type: ignore[misc]  (per instance: the engine's codes are many)
        self.status = error.status  # type: ignore[misc]


class CurrencyMismatchError(InvalidInputError):
    code = "currency_mismatch"
    default_message = MESSAGE_CURRENCY_MISMATCH


class StatementPeriodError(InvalidInputError):
    code = "invalid_period"
    default_message = MESSAGE_PERIOD


class PeriodOutsideLicenceError(InvalidInputError):
    code = "period_outside_licence"
    default_message = MESSAGE_OUTSIDE_LICENCE


class UnknownUsageRecordingError(InvalidInputError):
    code = "unknown_recording"
    default_message = MESSAGE_UNKNOWN_USAGE


class NotTheLicenseeError(ForbiddenError):
    code = "not_the_licensee"
    default_message = MESSAGE_NOT_LICENSEE


def licensed_recordings(licence: Licence):
    recordings = Recording.objects.filter(catalogue_id=licence.catalogue_id)
    if licence.per_work_opt_in:
        recordings = recordings.filter(licenceoptin__licence=licence)
    return recordings


def _composition_shares(recording: Recording) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    compositions = [c for c in recording.compositions.all() if c.publishing_shares.all()]
    performance: dict[str, Fraction] = defaultdict(Fraction)
    mechanical: dict[str, Fraction] = defaultdict(Fraction)
    for composition in compositions:
        # A writer who is also the publisher holds one share of the right: summed per party.
        for share in composition.publishing_shares.all():
            part = Fraction(len(compositions) * 100)
            performance[str(share.party_id)] += Fraction(share.performance_share) / part
            mechanical[str(share.party_id)] += Fraction(share.mechanical_share) / part
    return performance, mechanical


def _shares(weights: dict[str, Fraction]) -> list[RightShare]:
    # Fractions, not Decimals: a third of a composition has no finite decimal (the engine
    # takes any exact weight).
    return [RightShare(party, share) for party, share in sorted(weights.items()) if share]  # type: ignore[arg-type]


def licence_rights(licence: Licence) -> list[RecordingRights]:
    """The engine's rights of every payable recording of the licence, master shares as
    fractions of 1."""
    recordings = (
        licensed_recordings(licence)
        .filter(master_shares__isnull=False)
        .distinct()
        .prefetch_related("master_shares", "compositions__publishing_shares")
        .order_by("id")
    )
    rights = []
    for recording in recordings:
        master = [RightShare(str(s.party_id), s.share / 100) for s in recording.master_shares.all()]
        performance, mechanical = _composition_shares(recording)
        rights.append(
            RecordingRights(
                str(recording.id),
                master,
                _shares(performance) or None,
                _shares(mechanical) if mechanical != performance else None,
            )
        )
    return rights


def licence_terms(licence: Licence) -> LicenceTerms:
    return LicenceTerms(licence_id=str(licence.id), licensee_id=licence.licensee.slug)


def royalty_due(licence: Licence, revenue_minor: int) -> int:
    due = (Decimal(revenue_minor) * licence.revenue_share / 100).quantize(Decimal(1), ROUND_HALF_UP)
    return max(int(due), licence.minimum_minor)


def usage_from_csv(data: bytes, *, licence: Licence, payable: set[str]) -> list[UsageLine]:
    """The uploaded usage, each `recording_id` (an id or an ISRC) made the recording's id."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RoyaltyStatementError(
            RoyaltyError("invalid_usage", MESSAGE_UNREADABLE_USAGE, detail={"encoding": "utf-8"})
        ) from None
    lines = read_usage_csv(text)
    by_key: dict[str, str] = {}
    for recording_id, isrc in licensed_recordings(licence).values_list("id", "isrc"):
        by_key[str(recording_id)] = str(recording_id)
        if isrc:
            by_key[isrc] = str(recording_id)
    resolved, unknown, unpaid = [], [], []
    for line in lines:
        key = line.recording_id
        found = by_key.get(key.lower()) or by_key.get(_isrc_or_none(key) or "")
        if found is None:
            unknown.append(key)
        elif found not in payable:
            unpaid.append(key)
        else:
            resolved.append(_with(line, found))
    if unknown or unpaid:
        detail = {"not_in_licence": sorted(set(unknown))[:20], "without_rights": sorted(set(unpaid))[:20]}
        raise UnknownUsageRecordingError(detail=detail)
    return resolved


def _with(line: UsageLine, recording_id: str) -> UsageLine:
    return UsageLine(recording_id, line.kind, line.units, line.duration_ms, line.matched_ms)


def _isrc_or_none(value: str) -> str | None:
    try:
        return isrc_normalise(value)
    except ApplicationError:
        return None


def usage_derived(
    *, licence: Licence, start: datetime.date, end: datetime.date, payable: set[str]
) -> list[UsageLine]:
    """Output usage: the seconds the licensee's takes of the period matched each recording."""
    if not licence.output_use_allowed:
        return []
    checks = OutputCheck.objects.filter(
        take__work__organisation_id=licence.licensee_id,
        created_at__date__gte=start,
        created_at__date__lte=end,
    ).only("matches")
    matched: dict[str, int] = defaultdict(int)
    for check in checks.iterator():
        for match in check.matches:
            if match.get("recording_id") in payable:
                matched[match["recording_id"]] += round(float(match.get("duration_s") or 0) * 1000)
    return [UsageLine(r, "output", matched_ms=ms) for r, ms in sorted(matched.items()) if ms]


def _check_request(licence: Licence, revenue_minor: object, currency: str, start, end) -> str:
    try:
        check_amount(revenue_minor)
    except RoyaltyError as error:
        raise RoyaltyStatementError(error) from None
    code = currency_normalise(currency)
    if code != licence.currency:
        raise CurrencyMismatchError(detail={"currency": code, "licence_currency": licence.currency})
    if end < start:
        raise StatementPeriodError(detail={"period_start": str(start), "period_end": str(end)})
    if end < licence.starts_on or (licence.ends_on is not None and start > licence.ends_on):
        detail = {"starts_on": str(licence.starts_on), "ends_on": str(licence.ends_on or "")}
        raise PeriodOutsideLicenceError(detail=detail)
    return code


@transaction.atomic
def royalty_statement_create(
    *,
    licence: Licence,
    revenue_minor: int,
    currency: str,
    period_start: datetime.date,
    period_end: datetime.date,
    usage_csv: bytes | None = None,
    created_by=None,
) -> RoyaltyStatement:
    """Compute and keep the statement of one period of a licence (any error: nothing kept)."""
    code = _check_request(licence, revenue_minor, currency, period_start, period_end)
    rights = licence_rights(licence)
    payable = {entry.recording_id for entry in rights}
    try:
        if usage_csv is not None:
            usage = usage_from_csv(usage_csv, licence=licence, payable=payable)
        else:
            usage = usage_derived(licence=licence, start=period_start, end=period_end, payable=payable)
        amount = royalty_due(licence, revenue_minor)
        revenue = Revenue(amount, code, f"{period_start.isoformat()}/{period_end.isoformat()}")
        result = statement(revenue, licence_terms(licence), rights, usage)
    except RoyaltyError as error:
        raise RoyaltyStatementError(error) from None
    entry = RoyaltyStatement(
        licence=licence,
        period_start=period_start,
        period_end=period_end,
        currency=code,
        revenue_minor=revenue_minor,
        amount_minor=amount,
        usage_source=USAGE_UPLOAD if usage_csv is not None else USAGE_DERIVED,
        document=_document(result),
        created_by=created_by,
    )
    entry.full_clean()
    entry.save()
    return entry


def _document(result: Statement) -> dict[str, Any]:
    """The engine's document, each holder with its party's name (ids alone read badly)."""
    document = statement_document(result)
    names = dict(
        Party.objects.filter(id__in=[h["party_id"] for h in document["holders"]]).values_list("id", "name")
    )
    for holder in document["holders"]:
        holder["name"] = names.get(_uuid_or_none(holder["party_id"]), "")
    return document


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def statement_from_document(document: dict[str, Any], *, parties: set[str] | None = None) -> Statement:
    """The engine's statement again, from a kept document; `parties`: only their lines and
    totals (a rights holder's view: it no longer sums to the revenue, only to its own part)."""
    result = Statement(
        document["licence_id"],
        document["licensee_id"],
        document["period"],
        document["currency"],
        document["amount_minor"],
        dict(document["pools"]),
    )
    for holder in document["holders"]:
        if parties is not None and holder["party_id"] not in parties:
            continue
        result.totals[holder["party_id"]] = holder["total_minor"]
        result.lines.extend(
            StatementLine(holder["party_id"], x["recording_id"], x["pool"], x["right"], x["amount_minor"])
            for x in holder["lines"]
        )
    return result


def statement_render(entry: RoyaltyStatement, kind: str, *, parties: set[str] | None = None) -> str:
    """The kept statement as CSV or HTML (JSON: its document)."""
    result = statement_from_document(entry.document, parties=parties)
    return statement_csv(result) if kind == "csv" else statement_html(result)
