import json

import pytest
from django.core.management import call_command
from django.db import connection

from generation.services import work_note_add
from provenance import log_rebuild as rebuild_module
from provenance.keys import key_rotate
from provenance.log_rebuild import log_rebuild
from provenance.models import Checkpoint, KeyPurpose, LogNode
from tests.provenance.conftest import integrate

pytestmark = pytest.mark.django_db


def _forget_nodes(keep=lambda key: False) -> None:
    """What a restore from a backup without the node cache starts from."""
    doomed = [[key] for key in LogNode.objects.values_list("key", flat=True) if not keep(key)]
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:  # the append-only trigger refuses this: lifted for this transaction only
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.executemany("DELETE FROM provenance_lognode WHERE key = %s", doomed)
        if postgresql:
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def long_log(work, owner, monkeypatch):
    """Enough events for several rebuild chunks and checkpoints, signed by two log keys."""
    monkeypatch.setattr(rebuild_module, "CHUNK", 4)
    for n in range(6):
        work_note_add(work=work, text=f"step {n}", author=owner.membership)
        integrate()
    key_rotate(purpose=KeyPurpose.LOG)
    for n in range(5):
        work_note_add(work=work, text=f"later step {n}", author=owner.membership)
    integrate()
    return work


def test_an_intact_log_checks_clean_against_every_checkpoint(long_log):
    report = log_rebuild(write=False)

    latest = Checkpoint.objects.order_by("-tree_size").first()
    assert report.ok, report.problems
    assert (report.tree_size, report.root_hash) == (latest.tree_size, bytes(latest.root_hash).hex())
    assert report.checkpoints_checked == Checkpoint.objects.count() >= 8
    assert report.nodes_missing == 0
    assert report.nodes_computed == LogNode.objects.count()


def test_the_node_cache_is_rebuilt_from_the_events_alone(long_log):
    stored = dict(LogNode.objects.values_list("key", "hash"))
    _forget_nodes()

    report = log_rebuild(write=True)

    assert report.ok, report.problems
    assert report.nodes_missing == report.nodes_inserted == len(stored)
    assert {k: bytes(v) for k, v in LogNode.objects.values_list("key", "hash")} == {
        k: bytes(v) for k, v in stored.items()
    }
    assert log_rebuild(write=False).nodes_missing == 0


def test_check_mode_reports_missing_nodes_and_writes_nothing(long_log):
    _forget_nodes(keep=lambda key: key % 2 == 0)
    remaining = LogNode.objects.count()

    report = log_rebuild(write=False)

    assert not report.ok
    assert report.nodes_missing > 0 and report.nodes_inserted == 0
    assert LogNode.objects.count() == remaining


def test_a_stored_node_that_differs_is_reported_not_replaced(long_log):
    _forget_nodes(keep=lambda key: key != LogNode.key_for(0, 3))
    LogNode.objects.create(key=LogNode.key_for(0, 3), hash=b"\x00" * 32)

    report = log_rebuild(write=True)

    assert not report.ok
    assert report.problems == ["stored node (0, 3) differs from the one the events give"]
    assert bytes(LogNode.objects.get(key=LogNode.key_for(0, 3)).hash) == b"\x00" * 32


def test_a_checkpoint_beyond_the_events_is_reported(long_log, owner):
    work_note_add(work=long_log, text="one more", author=owner.membership)
    integrate()
    latest = Checkpoint.objects.order_by("-tree_size").first()
    Checkpoint.objects.create(
        tree_size=latest.tree_size + 1, root_hash=bytes(latest.root_hash), note=latest.note, key_id="nobody"
    )

    problems = log_rebuild(write=False).problems

    assert f"checkpoint at {latest.tree_size + 1} is beyond the log's size {latest.tree_size}" in problems


def test_the_command_prints_the_report_and_fails_on_a_problem(long_log, capsys):
    _forget_nodes()

    with pytest.raises(SystemExit) as failed:
        call_command("rebuild_log", "--check", "--json")
    checked = json.loads(capsys.readouterr().out)
    call_command("rebuild_log", "--json")
    rebuilt = json.loads(capsys.readouterr().out)

    assert failed.value.code == 1
    assert (checked["ok"], checked["nodes_inserted"]) == (False, 0)
    assert (rebuilt["ok"], rebuilt["nodes_inserted"]) == (True, checked["nodes_missing"])
