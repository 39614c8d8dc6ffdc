"""Readiness checks of the services SongProof depends on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from config.celery import app as celery_app
from ops.models import WorkerHeartbeat


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check(False, f"{connection.vendor}: {exc}".strip())
    return Check(True, connection.vendor)


def check_broker() -> Check:
    if celery_app.conf.task_always_eager:
        return Check(True, "eager: tasks run in the calling process (no broker configured)")
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
            transport = broker.transport_cls
    except Exception as exc:  # kombu raises transport-specific errors; any of them means down
        return Check(False, f"{type(exc).__name__}: {exc}")
    return Check(True, str(transport))


def worker_status() -> dict[str, dict]:
    """Last heartbeat per queue; informational, it does not make the service unhealthy."""
    stale_after = settings.HEARTBEAT_INTERVAL * 3
    now = timezone.now()
    status = {}
    for queue in settings.CELERY_TASK_QUEUES:
        latest = WorkerHeartbeat.objects.filter(queue=queue.name).order_by("-seen_at").first()
        status[queue.name] = {
            "last_seen": latest.seen_at.isoformat() if latest else None,
            "hostname": latest.hostname if latest else None,
            "fresh": bool(latest and now - latest.seen_at <= max(stale_after, timedelta(minutes=3))),
        }
    return status


def health_report() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check.ok for check in checks.values())
    report = {
        "status": "ok" if healthy else "unavailable",
        "environment": settings.SONGPROOF_ENV,
        "checks": {name: check.as_dict() for name, check in checks.items()},
    }
    if checks["database"].ok and not celery_app.conf.task_always_eager:
        report["workers"] = worker_status()
    return healthy, report
