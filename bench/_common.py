"""Shared by the benchmark scripts: the machine they ran on, a table, the JSON result."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SERVER = os.environ.get("SONGPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def use_database(name: str, *, eager: bool = True) -> None:
    """Point this process's Django at the scratch database `name` and set it up."""
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true" if eager else "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


@contextmanager
def scratch_postgres(name: str, *, eager: bool = True):
    """A fresh, migrated PostgreSQL database for one benchmark run, dropped afterwards."""
    _admin(f"DROP DATABASE IF EXISTS {name}")
    _admin(f"CREATE DATABASE {name}")
    try:
        use_database(name, eager=eager)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
        from django.db import connections

        connections.close_all()
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name}")


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
        "postgresql_client": postgres,
        "platform": platform.platform(),
    }


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary_ms(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), "median_ms": statistics.median(ms), "p99_ms": percentile(ms, 99), "max_ms": max(ms)}


def report(name: str, rows: list[dict], *, command: str, extra: dict | None = None) -> None:
    widths = [max(len(str(row.get(col, ""))) for row in [*rows, {c: c for c in rows[0]}]) for col in rows[0]]
    header = "  ".join(col.ljust(w) for col, w in zip(rows[0], widths, strict=True))
    print(header, "-" * len(header), sep="\n")
    for row in rows:
        print("  ".join(str(row[col]).ljust(w) for col, w in zip(rows[0], widths, strict=True)))
    RESULTS.mkdir(exist_ok=True)
    document = {
        "benchmark": name,
        "command": command,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "results": rows,
        **(extra or {}),
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(RESULTS.parent.parent)}")
