import uuid

import numpy as np
from django.db import models
from django.utils import timezone

from accounts.models import Organisation


class Catalogue(models.Model):
    """A rights holder's recordings, fingerprinted and indexed for matching."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="catalogues")
    name = models.CharField(max_length=200)
    # The catalogue's standing terms for organisations holding no licence on it (legal.Licence
    # decides for those that do): may these recordings train models, and has the rights holder
    # reserved text-and-data mining (EU DSM Directive Art. 4(3))? See legal.selectors.
    training_allowed = models.BooleanField(default=False)
    tdm_reserved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="catalogue_unique_name")]

    def __str__(self) -> str:
        return self.name


def index_key_for(recording_id: uuid.UUID) -> int:
    return recording_id.int >> 65


class Recording(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="recordings")
    title = models.CharField(max_length=300, blank=True)
    artists = models.CharField(max_length=300, blank=True)
    isrc = models.CharField(max_length=15, blank=True)
    iswc = models.CharField(max_length=15, blank=True)
    source_path = models.CharField(
        max_length=1000, help_text="as ingested: relative to the folder, or from the CSV"
    )
    duration_s = models.FloatField()
    audio_sha256 = models.CharField(max_length=64)
    # The recording's id in FAISS: a positive int64 drawn from its UUID (see index_key_for).
    index_key = models.BigIntegerField(unique=True)
    # The source of truth for the index: raw 32-bit sub-fingerprints, little-endian.
    fingerprint = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["catalogue", "source_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "audio_sha256"], name="recording_unique_audio_per_catalogue"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.source_path

    def fingerprint_values(self) -> np.ndarray:
        return np.frombuffer(bytes(self.fingerprint), dtype="<u4")


class OutputPolicy(models.Model):
    """An organisation's rule for its takes: seconds of matched audio that flag or block one."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="output_policy")
    flag_seconds = models.FloatField(default=5.0)
    block_seconds = models.FloatField(default=15.0)
    min_score = models.FloatField(default=0.80)

    def __str__(self) -> str:
        return f"policy of {self.organisation}"


class Verdict(models.TextChoices):
    ALLOW = "allow"
    FLAG = "flag"
    BLOCK = "block"


class OutputCheck(models.Model):
    """The check of one take against every catalogue, made when the take was made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    take = models.OneToOneField("generation.Take", on_delete=models.PROTECT, related_name="output_check")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    matched_seconds = models.FloatField()
    matches = models.JSONField(default=list)
    catalogues = models.PositiveIntegerField()
    policy = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"{self.verdict} for take {self.take_id}"


class ScanStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class ScanVerdict(models.TextChoices):
    LICENSED = "licensed"
    UNLICENSED = "unlicensed_match"
    OPTED_OUT = "opted_out"
    NO_MATCH = "no_match"


class ChunkedJob(models.Model):
    """Work stored item by item and done in chunks (see similarity.jobs): a scan, an ingestion."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=1000)
    status = models.CharField(max_length=8, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "id"]


class Scan(ChunkedJob):
    """A training dataset checked, item by item, against every catalogue."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="scans")

    class Meta(ChunkedJob.Meta):
        pass

    def __str__(self) -> str:
        return f"scan of {self.source}"


class ScanItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"

    id = models.BigAutoField(primary_key=True)
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="items")
    path = models.CharField(max_length=1000, help_text="as in the dataset")
    file = models.CharField(max_length=2000, help_text="where the service reads it")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    verdict = models.CharField(max_length=16, choices=ScanVerdict.choices, blank=True)
    matches = models.JSONField(default=list)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["scan", "status"])]

    def __str__(self) -> str:
        return f"{self.path}: {self.verdict or self.status}"


class Ingestion(ChunkedJob):
    """Audio being fingerprinted into a catalogue, item by item."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="ingestions")

    class Meta(ChunkedJob.Meta):
        pass

    def __str__(self) -> str:
        return f"ingestion of {self.source} into {self.catalogue}"


class IngestionItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        INGESTED = "ingested"
        SKIPPED = "skipped"  # the catalogue already holds the same audio
        FAILED = "failed"

    id = models.BigAutoField(primary_key=True)
    ingestion = models.ForeignKey(Ingestion, on_delete=models.CASCADE, related_name="items")
    path = models.CharField(max_length=1000, help_text="as in the folder, manifest or upload")
    file = models.CharField(max_length=2000, help_text="where the service reads it")
    metadata = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    recording = models.ForeignKey(Recording, null=True, blank=True, on_delete=models.PROTECT)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ingestion", "status"])]

    def __str__(self) -> str:
        return f"{self.path}: {self.status}"
