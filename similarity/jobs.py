"""Chunked jobs (scans, ingestions): claim a chunk of pending items, then finish the job.

A job is stored item by item, so it is processed in chunks, one Celery task each; a worker
that dies leaves its chunk's items pending for the redelivered message (acks_late).
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from similarity.models import ChunkedJob, ScanStatus

PENDING = "pending"


def chunk_claim(job_model: type[ChunkedJob], job_id, items: models.QuerySet, size: int) -> list:
    """Mark the job running and take up to `size` of its pending `items`; skip_locked lets
    workers on the same job take different chunks."""
    with transaction.atomic():
        job = job_model.objects.select_for_update().get(pk=job_id)
        if job.status == ScanStatus.QUEUED:
            job.status = ScanStatus.RUNNING
            job.save(update_fields=["status"])
        return list(items.select_for_update(skip_locked=True).filter(status=PENDING)[:size])


def job_finish_if_done(job_model: type[ChunkedJob], job_id, items: models.QuerySet) -> bool:
    """Within the caller's transaction: True while items remain pending, else mark it done."""
    job = job_model.objects.select_for_update().get(pk=job_id)
    if items.filter(status=PENDING).exists():
        return True
    job.status, job.finished_at = ScanStatus.DONE, timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return False


def status_counts(items: models.QuerySet, statuses) -> dict[str, int]:
    """How many of `items` are in each of `statuses`, in one query."""
    found = dict(items.order_by().values_list("status").annotate(n=Count("id")))
    return {status: found.get(status, 0) for status in statuses}


def job_progress(items: models.QuerySet) -> float:
    """The share of a job's items no longer pending (1.0 for a job without items)."""
    counts = items.aggregate(total=Count("id"), pending=Count("id", filter=Q(status=PENDING)))
    return progress_of(pending=counts["pending"], total=counts["total"])


def progress_of(*, pending: int, total: int) -> float:
    return round(1 - pending / total, 3) if total else 1.0
