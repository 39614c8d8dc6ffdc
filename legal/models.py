"""Rights data (parties, compositions, master and publishing shares) and licences.

Shares are percentages with four decimals; the services check that each right's shares sum
to exactly 100 (Decimal arithmetic, no rounding).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import Organisation
from similarity.models import Catalogue, Recording

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _share_field():
    return models.DecimalField(max_digits=7, decimal_places=4, validators=PERCENT)


class Party(models.Model):
    """A person or company holding rights, managed by a rights-holder organisation."""

    class Kind(models.TextChoices):
        PERSON = "person"
        COMPANY = "company"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    ipi = models.CharField(max_length=11, blank=True, help_text="IPI name number, 11 digits")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "ipi"], condition=~models.Q(ipi=""), name="party_unique_ipi_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Composition(models.Model):
    """A musical work (song), identified by its ISWC."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="compositions")
    title = models.CharField(max_length=300)
    iswc = models.CharField(max_length=11, blank=True, help_text="stored as T + 10 digits")
    recordings = models.ManyToManyField(
        Recording, through="RecordingComposition", related_name="compositions"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "iswc"],
                condition=~models.Q(iswc=""),
                name="composition_unique_iswc_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.title


class RecordingComposition(models.Model):
    """A recording embodies a composition (a medley embodies several)."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE)
    composition = models.ForeignKey(Composition, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recording", "composition"], name="recording_composition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.recording_id} embodies {self.composition_id}"


class MasterShare(models.Model):
    """Ownership of a recording (the master right)."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="master_shares")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="master_shares")
    share = _share_field()

    class Meta:
        ordering = ["recording", "-share", "party"]
        constraints = [models.UniqueConstraint(fields=["recording", "party"], name="master_share_unique")]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.share}% of {self.recording_id}"


class PublishingShare(models.Model):
    """A writer's or publisher's ownership of a composition's performance and mechanical rights."""

    class Role(models.TextChoices):
        WRITER = "writer"
        PUBLISHER = "publisher"

    composition = models.ForeignKey(Composition, on_delete=models.CASCADE, related_name="publishing_shares")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="publishing_shares")
    role = models.CharField(max_length=9, choices=Role.choices)
    performance_share = _share_field()
    mechanical_share = _share_field()

    class Meta:
        ordering = ["composition", "role", "party"]
        constraints = [
            models.UniqueConstraint(fields=["composition", "party", "role"], name="publishing_share_unique")
        ]

    def __str__(self) -> str:
        return f"{self.party_id} ({self.role}) of {self.composition_id}"


class ModelVersion(models.Model):
    """A model a licensee trained; recorded against the licences it was trained under."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="model_versions")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name", "version"], name="model_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Licence(models.Model):
    """A catalogue's terms for one licensee, in some territories over a period."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="licences")
    licensee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licences_held")
    training_allowed = models.BooleanField(default=False)
    output_use_allowed = models.BooleanField(default=False)
    # The rights holder's reservation of text-and-data mining (EU DSM Directive Art. 4(3)).
    tdm_reserved = models.BooleanField(default=False)
    territories = models.JSONField(help_text='ISO 3166-1 alpha-2 codes, or ["WORLD"]')
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="inclusive; empty: open-ended")
    per_work_opt_in = models.BooleanField(
        default=False, help_text="only the recordings opted in are licensed"
    )
    opted_in = models.ManyToManyField(Recording, through="LicenceOptIn", related_name="licence_opt_ins")
    revenue_share = models.DecimalField(max_digits=7, decimal_places=4, validators=PERCENT)
    minimum_minor = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3)
    model_versions = models.ManyToManyField(ModelVersion, through="ModelTraining", related_name="licences")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.catalogue} to {self.licensee} from {self.starts_on}"

    def in_force(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


class LicenceOptIn(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE)
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["licence", "recording"], name="licence_opt_in_unique")]

    def __str__(self) -> str:
        return f"{self.recording_id} opted into {self.licence_id}"


class ModelTraining(models.Model):
    """A model version was trained under a licence (recorded when the licensee says so)."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT)
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["licence", "model_version"], name="model_training_unique")
        ]

    def __str__(self) -> str:
        return f"{self.model_version_id} trained under {self.licence_id}"


class RoyaltyStatement(models.Model):
    """A licence's royalty statement for one period, as computed when the licensee reported
    its revenue: the engine's statement document is kept whole, so a statement can be listed
    and downloaded again unchanged even if rights change later."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateField()
    period_end = models.DateField(help_text="inclusive")
    currency = models.CharField(max_length=3)
    revenue_minor = models.BigIntegerField(
        validators=[MinValueValidator(0)], help_text="the licensee's reported net revenue"
    )
    amount_minor = models.BigIntegerField(
        validators=[MinValueValidator(0)], help_text="the royalties due: what the statement shares out"
    )
    usage_source = models.CharField(max_length=8, help_text="'upload' (a usage CSV) or 'derived'")
    document = models.JSONField(help_text="the statement as legal.royalty_formats.statement_document")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"statement of {self.licence_id} for {self.period_start}/{self.period_end}"
