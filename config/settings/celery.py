"""Celery: eager in-process by default, real workers when CELERY_BROKER_URL is set.

Read by config/celery.py through the CELERY_ namespace.
"""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.env import REQUIRED, env
from config.settings.base import PRODUCTION

CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL",
    schemes=("redis", "rediss", "amqp", "amqps", "memory"),
    default=REQUIRED if PRODUCTION else None,
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL is None)
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://localhost/"
if PRODUCTION and CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("CELERY_TASK_ALWAYS_EAGER: production runs tasks on workers, not eagerly")
CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Task outcomes live in the database (job rows), so no result backend is needed.
CELERY_TASK_IGNORE_RESULT = True

CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("gpu"))
CELERY_TASK_ROUTES = {"generation.tasks.*": {"queue": "gpu"}}

CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 660, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT: must be greater than CELERY_TASK_SOFT_TIME_LIMIT")

# Work that must not be lost: a message is acknowledged only after the task returns, and
# one whose worker died (SIGKILL, OOM) goes back on the queue instead of being dropped.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged message after the visibility timeout (a worker killed
# outright cannot hand its messages back); it should outlast the longest task, or a slow task
# runs twice (every task is idempotent, so that costs time, not correctness). The fault tests
# lower it to see a SIGKILLed worker's messages come back within seconds.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int(
    "CELERY_BROKER_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 2, minimum=1
)
CELERY_BROKER_CONNECTION_TIMEOUT = env.int("CELERY_BROKER_CONNECTION_TIMEOUT", 3, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    # Workers sweep for messages past their visibility timeout every interval (kombu's
    # default, 10 s x a throttle of 10, would leave a short timeout unnoticed for ~100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_BROKER_VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1,
    # A stopped or unreachable Redis must fail a request's publish quickly (503), not hang it.
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
# Publishing retries a lost connection briefly; with Redis down a request gives up within
# about a second plus the connection timeouts, and answers 503.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

HEARTBEAT_INTERVAL = timedelta(seconds=env.int("SONGPROOF_HEARTBEAT_SECONDS", 60, minimum=5))
CELERY_BEAT_SCHEDULE = {
    f"heartbeat-{queue.name}": {
        "task": "ops.tasks.worker_heartbeat",
        "schedule": HEARTBEAT_INTERVAL,
        "options": {"queue": queue.name, "expires": HEARTBEAT_INTERVAL.total_seconds()},
    }
    for queue in CELERY_TASK_QUEUES
}
# A backstop: events are integrated into the log right after each commit, and this picks up
# any whose task was lost.
CELERY_BEAT_SCHEDULE["log-integrate"] = {"task": "provenance.tasks.log_integrate", "schedule": 30.0}
