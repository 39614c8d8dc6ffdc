"""Reads of rights data and licences, each scoped to an organisation; which licence covers a
use of a recording."""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from legal.models import Composition, Licence, ModelVersion, Party
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
