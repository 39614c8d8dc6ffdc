"""Shared by the benchmark scripts: the machine they ran on, a table, the JSON result."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


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
