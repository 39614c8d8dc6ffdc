"""Royalty statement generation: 1 million usage lines over 100,000 recordings, one core.

    .venv/bin/python bench/royalties.py [--lines 1000000] [--recordings 100000] [--seed 7]

Synthetic, seeded data: every recording has 1-3 master owners, 70 % have 2-4 composition
owners (5,000 labels and 20,000 writers and publishers in all); 60 % of the usage lines are
training (units 1-3, 30-240 s used), 40 % output matches (1-30 s). Measured: `statement()`
alone (wall time, then again under tracemalloc for its peak memory, and the process's
ru_maxrss growth), reading the same usage as CSV, and rendering the statement as CSV and JSON.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, where bench/c2pa.py would hide
# the c2pa package (provenance.manifests imports it): the repository root goes there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from legal.royalties import (  # noqa: E402  (after the path)
    LicenceTerms,
    RecordingRights,
    Revenue,
    RightShare,
    UsageLine,
    statement,
)
from legal.royalty_formats import read_usage_csv, statement_csv, statement_json  # noqa: E402


def _shares(rng: random.Random, owners: list[str]) -> list[RightShare]:
    parts = [rng.randint(1, 9) for _ in owners]
    shares = [(Decimal(p) / sum(parts)).quantize(Decimal("0.0001")) for p in parts]
    shares[-1] = Decimal(1) - sum(shares[:-1])
    return [RightShare(owner, share) for owner, share in zip(owners, shares, strict=True)]


def catalogue(rng: random.Random, count: int) -> list[RecordingRights]:
    rights = []
    for n in range(count):
        labels = rng.sample(range(5_000), rng.randint(1, 3))
        master = _shares(rng, [f"label-{x:05d}" for x in labels])
        composition = None
        if rng.random() < 0.7:
            writers = rng.sample(range(20_000), rng.randint(2, 4))
            composition = _shares(rng, [f"writer-{x:05d}" for x in writers])
        rights.append(RecordingRights(f"rec-{n:06d}", master, composition))
    return rights


def usage_lines(rng: random.Random, count: int, recordings: int) -> list[UsageLine]:
    lines = []
    for _ in range(count):
        recording = f"rec-{rng.randrange(recordings):06d}"
        if rng.random() < 0.6:
            lines.append(UsageLine(recording, "training", rng.randint(1, 3), rng.randint(30_000, 240_000)))
        else:
            lines.append(UsageLine(recording, "output", matched_ms=rng.randint(1_000, 30_000)))
    return lines


def usage_csv(lines: list[UsageLine]) -> str:
    rows = ["recording_id,kind,units,duration_ms,matched_ms"]
    rows += [f"{u.recording_id},{u.kind},{u.units},{u.duration_ms},{u.matched_ms}" for u in lines]
    return "\n".join(rows) + "\n"


def timed(function, *args):
    """The result, wall seconds and CPU seconds (this process): on a shared, loaded machine
    the CPU time is the steadier figure for "one core"."""
    gc.collect()
    began, began_cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - began, time.process_time() - began_cpu


def row(measure: str, seconds: float, cpu: float, detail: str) -> dict:
    return {"measure": measure, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "detail": detail}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--recordings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rights = catalogue(rng, args.recordings)
    usage = usage_lines(rng, args.lines, args.recordings)
    revenue = Revenue(987_654_321_07, "EUR", "2026-Q1", Decimal("0.6"), Decimal("0.4"))
    licence = LicenceTerms("bench", "acme-ai", "duration", Decimal("0.5"), Decimal("0.5"), "training_pool")

    load = os.getloadavg()[0]  # other work on the machine slows the wall-clock figures
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, seconds, cpu = timed(statement, revenue, licence, rights, usage)
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert sum(result.totals.values()) == revenue.amount_minor
    del result
    gc.collect()
    tracemalloc.start()
    result = statement(revenue, licence, rights, usage)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    text = usage_csv(usage)
    _, read_s, read_cpu = timed(read_usage_csv, text)
    csv_text, csv_s, csv_cpu = timed(statement_csv, result)
    json_text, json_s, json_cpu = timed(statement_json, result)
    scale = f"{len(usage):,} usage lines, {len(rights):,} recordings"
    rows = [
        {
            "measure": f"statement(): {scale}",
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "detail": f"{len(result.lines):,} lines, {len(result.totals):,} holders; "
            f"tracemalloc peak {peak / 2**20:.0f} MiB, ru_maxrss +{rss_growth / 1024:.0f} MiB",
        },
        row(f"read_usage_csv(): {len(text) / 2**20:.0f} MiB", read_s, read_cpu, scale),
        row("statement_csv()", csv_s, csv_cpu, f"{len(csv_text) / 2**20:.0f} MiB"),
        row("statement_json()", json_s, json_cpu, f"{len(json_text) / 2**20:.0f} MiB"),
    ]
    from bench._common import report

    report(
        "royalties",
        rows,
        command="make bench  (or: .venv/bin/python bench/royalties.py)",
        extra={
            "goals": {"statement_seconds_1e6_lines": 10},
            "settings": vars(args),
            "memory": {"tracemalloc_peak_bytes": peak, "ru_maxrss_growth_kib": rss_growth},
            "load_average_1m_before": load,
        },
    )


if __name__ == "__main__":
    main()
