"""A real Celery worker process for tests marked `services`.

It consumes the `default` and `gpu` queues from the test Redis database and writes to the
test PostgreSQL database that pytest-django created, so a test sees its effects once the
worker commits (tests using it need `transaction=True`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from config.celery import app as celery_app

READY_TIMEOUT_S = 60
OUTPUT_DIR = Path(os.environ.get("SONGPROOF_TEST_OUTPUT", "test-output"))


@dataclass
class LiveWorker:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _test_database_url() -> str:
    db = connection.settings_dict  # NAME is the test database once django_db_setup ran
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_ready(worker: LiveWorker) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"celery worker exited with {worker.process.returncode}:\n{worker.log()}")
        if celery_app.control.ping(destination=[worker.name], timeout=1.0):
            return
    raise RuntimeError(f"celery worker not ready after {READY_TIMEOUT_S}s:\n{worker.log()}")


@pytest.fixture(scope="session")
def _worker_process(django_db_setup, django_db_blocker) -> Iterator[LiveWorker]:
    if connection.vendor != "postgresql":
        pytest.fail("the live worker needs the PostgreSQL test database")
    broker_url = os.environ["CELERY_BROKER_URL"]
    redis.Redis.from_url(broker_url).flushdb()  # no message left over from an earlier run
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = OUTPUT_DIR / "celery-worker.log"
    env = os.environ | {
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,gpu", "-n", name]
    command += ["--concurrency", "2", "--loglevel", "INFO", "--without-mingle", "--without-gossip"]
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = LiveWorker(name=name, process=process, log_path=log_path)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def live_worker(_worker_process: LiveWorker) -> Iterator[LiveWorker]:
    """Tasks sent during the test go through Redis to the worker instead of running eagerly."""
    celery_app.conf.task_always_eager = False
    try:
        yield _worker_process
    finally:
        celery_app.conf.task_always_eager = True
