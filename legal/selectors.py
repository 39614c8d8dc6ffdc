"""Reads of rights data and licences, each scoped to an organisation; which licence covers a
use of a recording."""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from legal.models import Composition, Licence, ModelVersion, Party, RoyaltyStatement
from similarity.models import Recording

Purpose = Literal["training", "output"]


def party_list(*, organisation: Organisation) -> QuerySet[Party]:
    return Party.objects.filter(organisation=organisation)


def composition_list(*, organisation: Organisation) -> QuerySet[Composition]:
    return Composition.objects.filter(organisation=organisation)


def recording_list(*, organisation: Organisation) -> QuerySet[Recording]:
    """The recordings of the organisation's catalogues: the ones whose rights it manages."""
    return Recording.objects.filter(catalogue__organisation=organisation)


def licence_list(*, organisation: Organisation) -> QuerySet[Licence]:
    """Licences the organisation granted (as the catalogue's owner) or holds (as licensee)."""
    return Licence.objects.filter(Q(catalogue__organisation=organisation) | Q(licensee=organisation))


def royalty_statement_list(*, organisation: Organisation) -> QuerySet[RoyaltyStatement]:
    """Statements of the licences the organisation granted or holds."""
    return RoyaltyStatement.objects.filter(
        Q(licence__catalogue__organisation=organisation) | Q(licence__licensee=organisation)
    )


def model_version_list(*, organisation: Organisation) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.filter(organisation=organisation)


def licences_in_force(*, on: datetime.date) -> Q:
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def licence_for(
    recording: Recording,
    licensee: Organisation,
    *,
    on: datetime.date | None = None,
    purpose: Purpose = "training",
) -> Licence | None:
    """The licence in force on `on` (today) that lets `licensee` use `recording` for
    `purpose`, or None. Under a per-work opt-in licence only opted-in recordings are covered.
    Territories are not consulted: training and generation have no territory of their own
    here, so a licence in any territory counts."""
    on = on or timezone.localdate()
    allowed = Q(training_allowed=True) if purpose == "training" else Q(output_use_allowed=True)
    covered = Q(per_work_opt_in=False) | Q(licenceoptin__recording=recording)
    return (
        Licence.objects.filter(catalogue_id=recording.catalogue_id, licensee=licensee)
        .filter(licences_in_force(on=on), allowed, covered)
        .order_by("starts_on", "id")
        .first()
    )


def training_verdict(recording: Recording, licensee: Organisation | None, *, on: datetime.date) -> str:
    """A scan's verdict for one matched recording (a ScanVerdict value).

    Licensed when a licence in force allows `licensee` to train on it; opted out when the
    catalogue or a licence in force reserves text-and-data mining and none allows it. A
    licensee holding no licence at all on the catalogue falls back to the catalogue's
    standing terms (`training_allowed`, the stand-in before licences); one that holds any
    licence there, even an expired one, is judged by its licences alone.
    """
    if licensee is not None and licence_for(recording, licensee, on=on, purpose="training"):
        return "licensed"
    held = Licence.objects.filter(catalogue_id=recording.catalogue_id, licensee=licensee)
    if recording.catalogue.tdm_reserved or held.filter(licences_in_force(on=on), tdm_reserved=True).exists():
        return "opted_out"
    if recording.catalogue.training_allowed and not held.exists():
        return "licensed"
    return "unlicensed_match"
