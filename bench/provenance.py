"""Provenance benchmarks on PostgreSQL (a scratch database, dropped afterwards).

    .venv/bin/python bench/provenance.py [--processes 2,4] [--events 4000] [--leaves 1000000]
                                         [--bundle-events 1000] [--proofs 1000]

1. Signed events appended per second: N processes record events concurrently (each a
   transaction: lock the work, chain, sign, insert), integrated into the log either on each
   commit (eager, as the embedded default does) or afterwards in batches (as a worker does).
2. Inclusion-proof time with the log at --leaves leaves (synthetic leaf hashes appended
   through the log's own node storage; proofs read the database as the API does).
3. Verification time of an evidence bundle with --bundle-events events, in process and as
   the `python -m provenance.verify` command.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, where bench/c2pa.py would hide
# the c2pa package (provenance.manifests imports it): the repository root goes there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
DATABASE = "songproof_bench"


def child(work_id: str, count: int) -> None:
    """One appending process: waits for "go" on stdin, appends, prints its elapsed seconds.

    BENCH_PER_TRANSACTION events are recorded per transaction (1: one commit per event).
    """
    from bench._common import use_database

    use_database(DATABASE, eager=os.environ["BENCH_EAGER"] == "1")
    from accounts.models import Membership
    from generation.models import Work
    from provenance.services import EventDraft, contribution_record_many

    work = Work.objects.get(pk=work_id)
    author = Membership.objects.select_related("user").get(organisation=work.organisation, role="owner")
    per_transaction = int(os.environ["BENCH_PER_TRANSACTION"])
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    for first in range(0, count, per_transaction):
        drafts = [
            EventDraft("note", {"text": f"note {n}"}, author) for n in range(first, first + per_transaction)
        ]
        contribution_record_many(work=work, drafts=drafts)
    print(time.perf_counter() - started, flush=True)


def _cast():
    from accounts.roles import Role
    from accounts.services import membership_create, organisation_create

    organisation = organisation_create(slug=f"bench-{time.monotonic_ns()}", name="Bench")
    return membership_create(
        organisation=organisation, username=f"bench-{time.monotonic_ns()}", role=Role.OWNER
    )


def bench_appends(processes: int, events: int, *, eager: bool, per_transaction: int = 1) -> dict:
    from generation.services import work_create
    from provenance.services import log_integrate

    author = _cast()
    works = [
        work_create(organisation=author.organisation, title=f"w{n}", created_by=author)
        for n in range(processes)
    ]
    while log_integrate() is not None:
        pass
    env = os.environ | {
        "BENCH_EAGER": "1" if eager else "0",
        "BENCH_PER_TRANSACTION": str(per_transaction),
        "CELERY_BROKER_URL": "memory://localhost/",
    }
    each = events // processes
    command = [sys.executable, __file__, "--child"]
    children = [
        subprocess.Popen(
            [*command, str(w.id), str(each)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in works
    ]
    for process in children:
        assert process.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for process in children:
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in children:
        process.wait()
        assert process.returncode == 0
    recorded = time.perf_counter() - started
    integrate_started = time.perf_counter()
    while log_integrate() is not None:
        pass
    integrated = time.perf_counter() - integrate_started
    total = each * processes
    wall = time.perf_counter() - started
    return {
        "measure": (
            f"appends, {processes} processes, {per_transaction} event(s)/transaction, "
            f"log integration {'on each commit' if eager else 'batched after'}"
        ),
        "events": total,
        "seconds": round(wall, 2),
        "per_second": round(total / wall),
        "detail": f"record {recorded:.2f}s + integrate {integrated:.2f}s",
    }


def bench_proofs(leaves: int, proofs: int) -> dict:
    from bench._common import summary_ms
    from provenance import merkle
    from provenance.selectors import DatabaseNodes, log_size
    from provenance.services import _append_leaves  # synthetic leaves, the log's real storage

    size = log_size()
    started = time.perf_counter()
    rng = random.Random(6962)
    while size < leaves:
        batch = min(50_000, leaves - size)
        _append_leaves([rng.randbytes(32) for _ in range(batch)], size)
        size += batch
    built = time.perf_counter() - started
    source = DatabaseNodes()
    root = merkle.root(source, size)
    samples = []
    for index in rng.sample(range(size), proofs):
        began = time.perf_counter()
        path = merkle.inclusion_proof(source, index, size)
        samples.append(time.perf_counter() - began)
        (leaf,) = source.nodes([(0, index)]).values()
        merkle.verify_inclusion(index, size, leaf, path, root)
    stats = summary_ms(samples)
    return {
        "measure": f"inclusion proof at {size:,} leaves (one query, verified)",
        "events": stats["n"],
        "seconds": round(sum(samples), 2),
        "per_second": round(stats["n"] / sum(samples)),
        "detail": f"median {stats['median_ms']:.2f} ms, p99 {stats['p99_ms']:.2f} ms; built in {built:.0f}s",
    }


def bench_bundle(events: int, tmp: Path) -> list[dict]:
    from bench._common import summary_ms
    from generation.services import work_create, work_note_add
    from provenance.bundle import read_bundle
    from provenance.evidence import evidence_bundle_build
    from provenance.verify import verify_bundle

    author = _cast()
    work = work_create(organisation=author.organisation, title="bundle", created_by=author)
    for n in range(events - 1):
        work_note_add(work=work, text=f"step {n}", author=author)
    began = time.perf_counter()
    data = evidence_bundle_build(work=work)
    build = time.perf_counter() - began
    samples = []
    for _ in range(5):
        began = time.perf_counter()
        report = verify_bundle(read_bundle(data))
        samples.append(time.perf_counter() - began)
        assert report.ok
    path = tmp / "bench-bundle.zip"
    path.write_bytes(data)
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "provenance.verify", str(path)], check=True, capture_output=True, cwd=ROOT
    )
    command = time.perf_counter() - began
    path.unlink()
    stats = summary_ms(samples)
    return [
        {
            "measure": f"verify a bundle of {events} events (in process)",
            "events": events,
            "seconds": round(stats["median_ms"] / 1000, 3),
            "per_second": round(events / (stats["median_ms"] / 1000)),
            "detail": f"median of 5; bundle {len(data) / 1024:.0f} KiB, built in {build:.2f}s",
        },
        {
            "measure": f"verify a bundle of {events} events (the command)",
            "events": events,
            "seconds": round(command, 3),
            "per_second": round(events / command),
            "detail": "whole command, interpreter start included",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="2,4", help="comma-separated process counts")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--bundle-events", type=int, default=1000)
    parser.add_argument("--child", nargs=2, metavar=("WORK", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    from bench._common import scratch_postgres

    with scratch_postgres(DATABASE):
        counts = [int(n) for n in args.processes.split(",")]
        rows = [
            bench_appends(max(counts), args.events, eager=True),
            *(bench_appends(n, args.events, eager=False) for n in counts),
            *(bench_appends(n, args.events, eager=False, per_transaction=10) for n in counts),
            *bench_bundle(args.bundle_events, Path("/tmp")),
            bench_proofs(args.leaves, args.proofs),
        ]
    from bench._common import report

    report(
        "provenance",
        rows,
        command="make bench  (or: .venv/bin/python bench/provenance.py)",
        extra={
            "goals": {"appends_per_second": 2000, "proof_ms_at_1e6": 2, "verify_1000_events_s": 1},
            "settings": vars(args) | {"child": None},
        },
    )


if __name__ == "__main__":
    main()
