"""Writes of rights data: parties, compositions, master and publishing shares.

Only rights-holder organisations hold rights data. Every identifier is validated and
normalised here (legal.identifiers), so the API and the importer store the same forms.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import Organisation
from accounts.roles import OrganisationKind
from config.errors import ConflictError, InvalidInputError
from legal.identifiers import ipi_normalise, iswc_normalise
from legal.models import Composition, MasterShare, Party, PublishingShare, RecordingComposition
from legal.selectors import party_list, recording_list
from legal.shares import share_parse, shares_check
from similarity.models import Recording
from similarity.services import NotARightsHolderError

MESSAGE_PARTY_EXISTS = "Your organisation already has this party (same IPI, or same name and kind)."
MESSAGE_COMPOSITION_EXISTS = "Your organisation already has a composition with this ISWC."
MESSAGE_UNKNOWN_PARTY = "No party of your organisation has this id."
MESSAGE_UNKNOWN_RECORDING = "No recording of your organisation's catalogues has this id."
MESSAGE_ROLE = "A publishing share's role is writer or publisher."
MESSAGE_DUPLICATE_SHARE = "A party appears twice in the shares of one right."


class PartyExistsError(ConflictError):
    code = "party_exists"
    default_message = MESSAGE_PARTY_EXISTS


class CompositionExistsError(ConflictError):
    code = "composition_exists"
    default_message = MESSAGE_COMPOSITION_EXISTS


class UnknownPartyError(InvalidInputError):
    code = "unknown_party"
    default_message = MESSAGE_UNKNOWN_PARTY


class UnknownRecordingError(InvalidInputError):
    code = "unknown_recording"
    default_message = MESSAGE_UNKNOWN_RECORDING


class DuplicateShareError(InvalidInputError):
    code = "duplicate_party"
    default_message = MESSAGE_DUPLICATE_SHARE


@dataclass(frozen=True)
class MasterShareInput:
    party: uuid.UUID | Party
    share: object


@dataclass(frozen=True)
class PublishingShareInput:
    party: uuid.UUID | Party
    role: str
    performance_share: object
    mechanical_share: object


def rights_holder_check(organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.RIGHTS_HOLDER:
        raise NotARightsHolderError()


def party_duplicate_of(*, organisation: Organisation, name: str, kind: str, ipi: str) -> Party | None:
    """A party is the same as one with its IPI; without an IPI, as one of the same name and
    kind that has none either (two people may share a name; their IPIs tell them apart)."""
    parties = party_list(organisation=organisation)
    if ipi:
        return parties.filter(ipi=ipi).first()
    return parties.filter(ipi="", name__iexact=name.strip(), kind=kind).first()


@transaction.atomic
def party_create(*, organisation: Organisation, name: str, kind: str, ipi: str = "") -> Party:
    rights_holder_check(organisation)
    ipi = ipi_normalise(ipi) if ipi else ""
    existing = party_duplicate_of(organisation=organisation, name=name, kind=kind, ipi=ipi)
    if existing is not None:
        raise PartyExistsError(detail={"party": str(existing.id), "ipi": ipi, "name": name})
    party = Party(organisation=organisation, name=name.strip(), kind=kind, ipi=ipi)
    party.full_clean()
    party.save()
    return party


def _party_id(ref: uuid.UUID | Party | str) -> str:
    return str(ref.id) if isinstance(ref, Party) else str(ref)


def _parties(organisation: Organisation, ids: set[str]) -> dict[str, Party]:
    """The organisation's parties by id; another organisation's party is unknown here."""
    found = {str(p.id): p for p in party_list(organisation=organisation).filter(id__in=ids)}
    unknown = sorted(ids - set(found))
    if unknown:
        raise UnknownPartyError(detail={"parties": unknown})
    return found


@transaction.atomic
def master_shares_replace(*, recording: Recording, shares: list[MasterShareInput]) -> list[MasterShare]:
    """Replace a recording's master shares at once: all of them, summing to 100%."""
    ids = [_party_id(s.party) for s in shares]
    if len(set(ids)) != len(ids):
        raise DuplicateShareError(detail={"parties": ids})
    parties = _parties(recording.catalogue.organisation, set(ids))
    parsed = [share_parse(s.share) for s in shares]
    shares_check(parsed, right="master", subject=recording.isrc or str(recording.id))
    MasterShare.objects.filter(recording=recording).delete()
    rows = []
    for given, share in zip(shares, parsed, strict=True):
        row = MasterShare(recording=recording, party=parties[_party_id(given.party)], share=share)
        row.full_clean(validate_constraints=False)
        rows.append(row)
    return MasterShare.objects.bulk_create(rows)


def _publishing_parsed(shares: list[PublishingShareInput]) -> list[tuple[Decimal, Decimal]]:
    roles = {s.role for s in shares} - set(PublishingShare.Role.values)
    if roles:
        raise InvalidInputError(MESSAGE_ROLE, detail={"role": sorted(roles)})
    # A party may hold both roles (a writer who self-publishes), each role once.
    pairs = {(_party_id(s.party), s.role) for s in shares}
    if len(pairs) != len(shares):
        raise DuplicateShareError(detail={"shares": sorted(f"{p}:{r}" for p, r in pairs)})
    return [
        (share_parse(s.performance_share, field="performance_share"),
         share_parse(s.mechanical_share, field="mechanical_share"))
        for s in shares
    ]  # fmt: skip


@transaction.atomic
def publishing_shares_replace(
    *, composition: Composition, shares: list[PublishingShareInput]
) -> list[PublishingShare]:
    """Replace a composition's publishing shares: performance and mechanical each sum to 100%."""
    parsed = _publishing_parsed(shares)
    ids = {_party_id(s.party) for s in shares}
    parties = _parties(composition.organisation, ids)
    subject = composition.iswc or composition.title
    shares_check((p for p, _ in parsed), right="performance", subject=subject)
    shares_check((m for _, m in parsed), right="mechanical", subject=subject)
    PublishingShare.objects.filter(composition=composition).delete()
    rows = []
    for given, (performance, mechanical) in zip(shares, parsed, strict=True):
        row = PublishingShare(
            composition=composition,
            party=parties[_party_id(given.party)],
            role=given.role,
            performance_share=performance,
            mechanical_share=mechanical,
        )
        row.full_clean(validate_constraints=False)
        rows.append(row)
    return PublishingShare.objects.bulk_create(rows)


@transaction.atomic
def composition_create(
    *,
    organisation: Organisation,
    title: str,
    iswc: str = "",
    recordings: Iterable[uuid.UUID] = (),
    publishing_shares: list[PublishingShareInput] | None = None,
) -> Composition:
    rights_holder_check(organisation)
    iswc = iswc_normalise(iswc) if iswc else ""
    if iswc and Composition.objects.filter(organisation=organisation, iswc=iswc).exists():
        raise CompositionExistsError(detail={"iswc": iswc})
    composition = Composition(organisation=organisation, title=title.strip(), iswc=iswc)
    composition.full_clean()
    composition.save()
    composition_link_recordings(composition=composition, recordings=recordings)
    if publishing_shares:
        publishing_shares_replace(composition=composition, shares=publishing_shares)
    return composition


def composition_link_recordings(*, composition: Composition, recordings: Iterable[uuid.UUID]) -> None:
    ids = {str(r) for r in recordings}
    found = list(recording_list(organisation=composition.organisation).filter(id__in=ids))
    unknown = sorted(ids - {str(r.id) for r in found})
    if unknown:
        raise UnknownRecordingError(detail={"recordings": unknown})
    RecordingComposition.objects.bulk_create(
        [RecordingComposition(recording=r, composition=composition) for r in found], ignore_conflicts=True
    )
