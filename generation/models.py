import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Organisation


class TrainingUse(models.TextChoices):
    """May the work be used to train AI models (CAWG training-and-mining vocabulary)."""

    NOT_ALLOWED = "notAllowed"
    ALLOWED = "allowed"
    CONSTRAINED = "constrained"


class Work(models.Model):
    """A song in the making: everything generated, chosen and edited for it is recorded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a work's record is evidence; deleting its organisation must not erase it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="works")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Stated in every export's C2PA manifest (cawg.training-mining).
    training_use = models.CharField(
        max_length=16, choices=TrainingUse.choices, default=TrainingUse.NOT_ALLOWED
    )

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title


class RequestStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class GenerationRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    backend = models.CharField(max_length=32)
    prompt = models.TextField(blank=True)
    lyrics = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    duration_s = models.FloatField()
    seed = models.BigIntegerField()
    takes = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.backend} x{self.takes} seed {self.seed} ({self.status})"


def take_upload_path(take: "Take", filename: str) -> str:
    return f"takes/{take.work.organisation_id}/{take.work_id}/{filename}"


class Take(models.Model):
    """One rendered piece of audio: from a request, or from an edit of a parent take."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="takes")
    request = models.ForeignKey(
        GenerationRequest, on_delete=models.PROTECT, null=True, related_name="results"
    )
    index = models.PositiveSmallIntegerField(default=0, help_text="position in its request's batch")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="children")
    backend = models.CharField(max_length=32)
    audio = models.FileField(upload_to=take_upload_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    duration_s = models.FloatField()
    # Everything needed to make the same bytes again (the plan, render batch, edits after it).
    recipe = models.JSONField()
    lyrics = models.TextField(blank=True)
    environment = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "index", "id"]

    def __str__(self) -> str:
        return f"take {self.id} of {self.work_id}"


class Selection(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="selections")
    take = models.ForeignKey(Take, on_delete=models.PROTECT, related_name="selections")
    alternatives = models.JSONField(default=list, help_text="ids of the takes not chosen")
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"selected {self.take_id}"


class Edit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="edits")
    source = models.ForeignKey(Take, on_delete=models.PROTECT, related_name="edits_from")
    result = models.OneToOneField(Take, on_delete=models.PROTECT, related_name="made_by_edit")
    operation = models.CharField(max_length=32)
    parameters = models.JSONField(default=dict)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.operation} {self.source_id} -> {self.result_id}"


class ExportFormat(models.TextChoices):
    WAV = "wav"
    FLAC = "flac"
    MP3 = "mp3"
    M4A = "m4a"


def export_upload_path(export: "Export", filename: str) -> str:
    return f"exports/{export.work.organisation_id}/{export.work_id}/{filename}"


class Export(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="exports")
    take = models.ForeignKey(Take, on_delete=models.PROTECT, related_name="exports")
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    file = models.FileField(upload_to=export_upload_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The soft binding: the exported audio's raw 32-bit Chromaprint sub-fingerprints (little-
    # endian), also in the manifest, and the export's key in the exports index (a positive
    # int64 drawn from its UUID). Null when the audio was too short or silent to fingerprint.
    fingerprint = models.BinaryField(null=True)
    index_key = models.BigIntegerField(unique=True, null=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.format} of {self.take_id}"

    def fingerprint_values(self):
        import numpy as np

        return np.frombuffer(bytes(self.fingerprint or b""), dtype="<u4")
