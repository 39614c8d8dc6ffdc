"""Fixtures of the fault tests: private services, a worker to kill, the log's consistency."""

from __future__ import annotations

import io
import json
import os
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bench._common import machine
from tests.reliability.processes import KillableWorker, PrivateRedis
from tests.worker import OUTPUT_DIR, _test_database_url

# A SIGKILLed worker cannot hand its messages back: Redis redelivers them once this many
# seconds have passed since delivery. Short here, so a test waits seconds, not 22 minutes.
VISIBILITY_TIMEOUT_S = 4
RATE = 11025


def tone_wav(seed: int, seconds: float = 5.0) -> bytes:
    """Distinct audio per seed: a run of random notes, 11025 Hz mono (small and fast)."""
    rng = np.random.default_rng(seed)
    notes = 440 * 2 ** (rng.integers(-24, 12, size=int(seconds * 4)) / 12)
    t = np.arange(int(RATE / 4)) / RATE
    signal = np.concatenate([np.sin(2 * np.pi * f * t) + 0.5 * np.sin(4 * np.pi * f * t) for f in notes])
    samples = (signal / np.abs(signal).max() * 0.6 * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(folder=tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def worker_factory(private_redis, media, django_db_blocker) -> Iterator:
    """Workers on the private Redis (so the session's shared worker never takes their
    messages) and the test database; each new one joins the same log file."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": private_redis.url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
        "MEDIA_ROOT": str(media),
    }
    started: list[KillableWorker] = []

    def start() -> KillableWorker:
        worker = KillableWorker(env=env, log_path=OUTPUT_DIR / "celery-faults.log")
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()


REPORT_ENV = "SONGPROOF_RELIABILITY_REPORT"


def report_figures(section: str, figures: dict) -> None:
    """With SONGPROOF_RELIABILITY_REPORT=PATH set, merge this test's measured figures into
    that JSON file (bench/results/reliability_faults.json); figures are never asserted on."""
    target = os.environ.get(REPORT_ENV)
    if not target:
        return
    path = Path(target)
    current = json.loads(path.read_text()) if path.exists() else {}
    current[section] = figures
    current["machine"] = machine()  # the one the latest section ran on
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
