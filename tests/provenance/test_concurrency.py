"""Four processes append to the log at once on PostgreSQL: one consistent log results."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generation.services import work_create
from provenance.models import Checkpoint, ContributionEvent
from tests.log_checks import assert_log_consistent
from tests.worker import _test_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PROCESSES, NOTES_EACH = 4, 60
ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_appends_from_four_processes_give_one_consistent_log(owner):
    works = [
        work_create(organisation=owner.organisation, title=f"Work {n}", created_by=owner.membership)
        for n in range(2)
    ]
    env = os.environ | {"DATABASE_URL": _test_database_url(), "CELERY_TASK_ALWAYS_EAGER": "true"}
    work_ids = ",".join(str(w.id) for w in works)
    command = [sys.executable, "-m", "tests.provenance.append_worker", work_ids, str(NOTES_EACH)]
    processes = [
        subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    log = assert_log_consistent()  # gap-free, chains linked, checkpoints consistent, nodes once
    assert log["events"] == 2 + PROCESSES * NOTES_EACH
    assert log["checkpoints"] > PROCESSES  # integration really interleaved


def test_with_workers_an_event_is_integrated_by_the_worker_after_commit(live_worker, owner):
    work = work_create(organisation=owner.organisation, title="Queued", created_by=owner.membership)

    deadline = time.monotonic() + 30
    while ContributionEvent.objects.get(work=work).log_index is None:
        assert time.monotonic() < deadline, (
            "the worker never integrated the event:\n" + live_worker.log()[-2000:]
        )
        time.sleep(0.1)

    assert Checkpoint.objects.filter(
        tree_size__gt=ContributionEvent.objects.get(work=work).log_index
    ).exists()
