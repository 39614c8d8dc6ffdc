"""Four processes append to the log at once on PostgreSQL: one consistent log results."""

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generation.services import work_create
from provenance import merkle
from provenance.models import Checkpoint, ContributionEvent, LogNode
from provenance.selectors import DatabaseNodes, consistency_proof, log_size
from provenance.services import log_integrate
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
    while log_integrate() is not None:
        pass

    total = 2 + PROCESSES * NOTES_EACH
    assert ContributionEvent.objects.count() == total
    assert sorted(ContributionEvent.objects.values_list("log_index", flat=True)) == list(range(total))
    assert log_size() == total
    for work in works:
        chain = list(
            ContributionEvent.objects.filter(work=work)
            .order_by("seq")
            .values_list("seq", "prev_hash", "event_hash")
        )
        assert [seq for seq, _, _ in chain] == list(range(1, len(chain) + 1))
        assert [prev for _, prev, _ in chain[1:]] == [digest for _, _, digest in chain[:-1]]

    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    assert checkpoints[-1].tree_size == total
    assert len(checkpoints) > PROCESSES  # integration really interleaved
    source = DatabaseNodes()
    for earlier, later in itertools.pairwise(checkpoints):
        assert merkle.root(source, earlier.tree_size) == bytes(earlier.root_hash)
        proof = consistency_proof(first=earlier.tree_size, second=later.tree_size)
        merkle.verify_consistency(
            earlier.tree_size, later.tree_size, bytes(earlier.root_hash), bytes(later.root_hash), proof
        )
    assert LogNode.objects.count() == 2 * total - bin(total).count("1")  # every complete subtree once


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
