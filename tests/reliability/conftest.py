"""Fixtures of the fault tests: private services, a worker to kill, the log's consistency."""

from __future__ import annotations

import io
import itertools
import json
import os
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from provenance import merkle
from provenance.models import Checkpoint, ContributionEvent, LogNode
from provenance.selectors import DatabaseNodes, consistency_proof, log_size
from provenance.services import log_integrate
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


def assert_log_consistent() -> dict:
    """Every event integrated once, gap-free; each work's chain linked; every checkpoint
    consistent with the next (RFC 9162 consistency proofs), as after concurrent appends."""
    while log_integrate() is not None:
        pass
    total = ContributionEvent.objects.count()
    assert sorted(ContributionEvent.objects.values_list("log_index", flat=True)) == list(range(total))
    assert log_size() == total
    for work_id in ContributionEvent.objects.values_list("work_id", flat=True).distinct():
        chain = list(
            ContributionEvent.objects.filter(work_id=work_id)
            .order_by("seq")
            .values_list("seq", "prev_hash", "event_hash")
        )
        assert [seq for seq, _, _ in chain] == list(range(1, len(chain) + 1))
        assert [prev for _, prev, _ in chain[1:]] == [digest for _, _, digest in chain[:-1]]
    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    if total:
        assert checkpoints[-1].tree_size == total
    source = DatabaseNodes()
    for earlier, later in itertools.pairwise(checkpoints):
        assert merkle.root(source, earlier.tree_size) == bytes(earlier.root_hash)
        proof = consistency_proof(first=earlier.tree_size, second=later.tree_size)
        merkle.verify_consistency(
            earlier.tree_size, later.tree_size, bytes(earlier.root_hash), bytes(later.root_hash), proof
        )
    assert LogNode.objects.count() == 2 * total - bin(total).count("1")
    return {"events": total, "checkpoints": len(checkpoints)}


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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
