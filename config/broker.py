"""The broker, asked before a job is committed: a job whose message cannot be sent must not
be committed (it would wait forever), so a stopped Redis answers 503 and rolls it back."""

from __future__ import annotations

import logging

import kombu.exceptions
from django.conf import settings

from config.celery import app as celery_app
from config.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)


def broker_ensure() -> None:
    """Raise ServiceUnavailableError unless the broker accepts a connection now (one try,
    CELERY_BROKER_CONNECTION_TIMEOUT at most). Eager (no broker): nothing to ask.

    Call it inside the transaction that queues the job, before any file is written: if the
    broker dies between this and the commit, the job stays queued without its message."""
    if celery_app.conf.task_always_eager:
        return
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
    except (kombu.exceptions.OperationalError, OSError) as exc:
        logger.warning("broker unavailable: %r", exc)
        raise ServiceUnavailableError(detail={"service": "broker"}) from None
