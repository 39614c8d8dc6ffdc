"""Signing keys, contribution events, and the Merkle log that holds them.

Events, log nodes and checkpoints are append-only: the models refuse updates and deletes,
and on PostgreSQL triggers (migration 0002) refuse them for raw SQL too. The one write an
event ever receives after its insert is its `log_index`, set once when the log integrates it.
"""

from __future__ import annotations

import json

from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import Organisation
from generation.models import Work

NODE_LEVEL_SHIFT = 48  # LogNode.key = level << 48 | index: up to 2^48 leaves


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class KeyPurpose(models.TextChoices):
    RECORD = "record", "Signs contribution events and evidence records"
    LOG = "log", "Signs log checkpoints"


class SigningKey(models.Model):
    """An Ed25519 key. The private half is stored encrypted (AES-256-GCM) and never served."""

    key_id = models.CharField(max_length=64, primary_key=True)
    purpose = models.CharField(max_length=16, choices=KeyPurpose.choices)
    public_key = models.BinaryField(max_length=32)
    encrypted_private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purpose", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(retired_at__isnull=True),
                name="signingkey_one_active_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class ContributionEvent(AppendOnlyModel):
    id = models.BigAutoField(primary_key=True)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="events")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=64)
    # The canonical JSON (RFC 8785) of the hashed body, stored as text so that the bytes that
    # were hashed and signed come back exactly (jsonb would renormalise numbers).
    body = models.TextField()
    created_at = models.DateTimeField()
    # NULL, not "", for the first event: the exported JSON says null, as the hash covered.
    prev_hash = models.CharField(max_length=64, null=True)  # noqa: DJ001
    event_hash = models.CharField(max_length=64, unique=True)
    signature = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=64)
    log_index = models.BigIntegerField(null=True, unique=True)

    class Meta:
        ordering = ["work", "seq"]
        constraints = [models.UniqueConstraint(fields=["work", "seq"], name="event_unique_seq_per_work")]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(log_index__isnull=True), name="event_pending_log")
        ]

    def __str__(self) -> str:
        return f"{self.work_id}#{self.seq} {self.kind}"

    @cached_property
    def parsed_body(self) -> dict:
        return json.loads(self.body)

    @property
    def payload(self) -> dict:
        return self.parsed_body["payload"]

    @property
    def actor(self) -> dict:
        return self.parsed_body["actor"]


class LogNode(AppendOnlyModel):
    """A complete subtree hash of the log: never changes once written."""

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node {self.key >> NODE_LEVEL_SHIFT}/{self.key & ((1 << NODE_LEVEL_SHIFT) - 1)}"

    @staticmethod
    def key_for(level: int, index: int) -> int:
        return level << NODE_LEVEL_SHIFT | index


class LogState(models.Model):
    """The log's current size: one row, locked while events are integrated."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of {self.size} leaves"


class Checkpoint(AppendOnlyModel):
    tree_size = models.BigIntegerField(primary_key=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField(help_text="C2SP signed note")
    key_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"checkpoint at {self.tree_size}"


class LabelPolicy(models.Model):
    """What an organisation's exports must carry beyond the labels every export has (C2PA
    manifest, GB 45438-2025 implicit label): the audible explicit cue, where its market asks."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="label_policy")
    explicit_label_required = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"label policy of {self.organisation}"
