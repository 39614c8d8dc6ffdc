"""Writes of licences and of the model versions trained under them."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from config.errors import ConflictError, InvalidInputError, NotFoundError
from legal.codes import currency_normalise, territories_normalise, territories_overlap
from legal.models import Licence, LicenceOptIn, ModelTraining, ModelVersion
from legal.selectors import licence_list, licences_in_force
from legal.services import UnknownRecordingError, rights_holder_check
from legal.shares import NegativeAmountError, share_parse
from similarity.models import Catalogue
from similarity.selectors import catalogue_list

MESSAGE_OVERLAP = (
    "This catalogue already has a licence for this licensee over part of this period in part "
    "of these territories."
)
MESSAGE_PERIOD = "A licence cannot end before it starts."
MESSAGE_LICENSEE = "No organisation has this slug."
MESSAGE_MODEL_VERSION_EXISTS = "Your organisation already has this model name and version."
MESSAGE_NOT_FOR_TRAINING = "Only licences of yours, in force and allowing training, can train a model."


class LicenceOverlapError(ConflictError):
    code = "licence_overlap"
    default_message = MESSAGE_OVERLAP


class InvalidPeriodError(InvalidInputError):
    code = "invalid_period"
    default_message = MESSAGE_PERIOD


class UnknownLicenseeError(InvalidInputError):
    code = "unknown_licensee"
    default_message = MESSAGE_LICENSEE


class ModelVersionExistsError(ConflictError):
    code = "model_version_exists"
    default_message = MESSAGE_MODEL_VERSION_EXISTS


class LicenceNotForTrainingError(ConflictError):
    code = "licence_not_for_training"
    default_message = MESSAGE_NOT_FOR_TRAINING


def _periods_overlap(licence: Licence, starts_on: datetime.date, ends_on: datetime.date | None) -> bool:
    first_ends = licence.ends_on or datetime.date.max
    return licence.starts_on <= (ends_on or datetime.date.max) and starts_on <= first_ends


def licence_overlap_check(
    *,
    catalogue: Catalogue,
    licensee: Organisation,
    territories: list[str],
    starts_on: datetime.date,
    ends_on: datetime.date | None,
) -> None:
    for licence in Licence.objects.filter(catalogue=catalogue, licensee=licensee):
        if _periods_overlap(licence, starts_on, ends_on) and territories_overlap(
            licence.territories, territories
        ):
            raise LicenceOverlapError(detail={"licence": str(licence.id)})


@transaction.atomic
def licence_create(
    *,
    organisation: Organisation,
    catalogue: uuid.UUID,
    licensee: str,
    territories: list[str],
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    training_allowed: bool = False,
    output_use_allowed: bool = False,
    tdm_reserved: bool = False,
    per_work_opt_in: bool = False,
    opted_in: Iterable[uuid.UUID] = (),
    revenue_share: object = Decimal(0),
    minimum_minor: int = 0,
    currency: str = "EUR",
) -> Licence:
    """The licensor (the catalogue's rights holder) grants a licence to another organisation."""
    rights_holder_check(organisation)
    # Locking the catalogue serialises licence grants on it, so two overlapping licences
    # created at once cannot both pass the overlap check.
    entry = catalogue_list(organisation=organisation).select_for_update().filter(id=catalogue).first()
    if entry is None:
        raise NotFoundError(detail={"catalogue": str(catalogue)})
    holder = Organisation.objects.filter(slug=licensee).first()
    if holder is None:
        raise UnknownLicenseeError(detail={"licensee": licensee})
    # Input errors (400) come before conflicts (409): a bad request is bad whatever is stored.
    territories = territories_normalise(territories)
    currency = currency_normalise(currency)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidPeriodError(detail={"starts_on": str(starts_on), "ends_on": str(ends_on)})
    if minimum_minor < 0:
        raise NegativeAmountError(detail={"minimum_minor": minimum_minor})
    share = share_parse(revenue_share, field="revenue_share")
    licence_overlap_check(
        catalogue=entry, licensee=holder, territories=territories, starts_on=starts_on, ends_on=ends_on
    )
    licence = Licence(
        catalogue=entry,
        licensee=holder,
        training_allowed=training_allowed,
        output_use_allowed=output_use_allowed,
        tdm_reserved=tdm_reserved,
        territories=territories,
        starts_on=starts_on,
        ends_on=ends_on,
        per_work_opt_in=per_work_opt_in,
        revenue_share=share,
        minimum_minor=minimum_minor,
        currency=currency,
    )
    licence.full_clean()
    licence.save()
    licence_opt_in(licence=licence, recordings=opted_in)
    return licence


def licence_opt_in(*, licence: Licence, recordings: Iterable[uuid.UUID]) -> None:
    ids = {str(r) for r in recordings}
    found = set(licence.catalogue.recordings.filter(id__in=ids).values_list("id", flat=True))
    unknown = sorted(ids - {str(r) for r in found})
    if unknown:
        raise UnknownRecordingError(detail={"opted_in": unknown})
    LicenceOptIn.objects.bulk_create(
        [LicenceOptIn(licence=licence, recording_id=r) for r in found], ignore_conflicts=True
    )


@transaction.atomic
def model_version_create(*, organisation: Organisation, name: str, version: str) -> ModelVersion:
    if ModelVersion.objects.filter(organisation=organisation, name=name, version=version).exists():
        raise ModelVersionExistsError(detail={"name": name, "version": version})
    model_version = ModelVersion(organisation=organisation, name=name, version=version)
    model_version.full_clean()
    model_version.save()
    return model_version


@transaction.atomic
def model_version_record_licences(
    *, model_version: ModelVersion, licences: Iterable[uuid.UUID], on: datetime.date | None = None
) -> list[Licence]:
    """Record the licences a model version was trained under: the licensee's own, in force
    on `on` (today) and allowing training; another organisation's licence is not found."""
    on = on or timezone.localdate()
    ids = {str(i) for i in licences}
    held = licence_list(organisation=model_version.organisation).filter(
        licensee=model_version.organisation, id__in=ids
    )
    found = {str(licence.id): licence for licence in held}
    if set(found) != ids:
        raise NotFoundError(detail={"licences": sorted(ids - set(found))})
    usable = set(held.filter(licences_in_force(on=on), training_allowed=True).values_list("id", flat=True))
    refused = sorted(i for i in ids if uuid.UUID(i) not in usable)
    if refused:
        raise LicenceNotForTrainingError(detail={"licences": refused, "on": str(on)})
    ModelTraining.objects.bulk_create(
        [ModelTraining(licence=licence, model_version=model_version) for licence in found.values()],
        ignore_conflicts=True,
    )
    return list(model_version.licences.all())
