"""Builtin generator speed, and what provenance adds to a generation.

    .venv/bin/python bench/generation.py [--duration 30] [--batches 1,4,16] [--threads 1] [--device cpu]

1. Real-time factor (seconds of audio per second of compute) of one take per genre, and of
   batches of N takes rendered together, on one CPU thread (or --device cuda).
2. Provenance overhead per generation on PostgreSQL: the time spent recording the prompt,
   parameters and generation events and integrating them into the log, as a share of the
   whole generation (request to stored takes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, where bench/c2pa.py would hide
# the c2pa package (provenance.manifests imports it): the repository root goes there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]


def rtf_rows(duration: float, batches: list[int], device: str, repeats: int) -> list[dict]:
    import torch

    from generation.plan import GENRES, make_plan, parse_tags
    from generation.synth import render

    rows = []

    def timed(plans) -> float:
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            render(plans, device=device, noise_seed=1)
            if device == "cuda":
                torch.cuda.synchronize()
            samples.append(time.perf_counter() - began)
        return statistics.median(samples)

    for genre in GENRES:
        plan = make_plan(parse_tags([genre]), master_seed=1, take=0, duration_s=duration)
        seconds = timed([plan])
        rows.append(_row(f"1 take, {genre}", 1, plan.duration_s(), seconds))
    for size in batches:
        plans = [
            make_plan(parse_tags(["pop"]), master_seed=1, take=i, duration_s=duration) for i in range(size)
        ]
        seconds = timed(plans)
        rows.append(_row(f"batch of {size} (pop)", size, sum(p.duration_s() for p in plans), seconds))
    return rows


def _row(measure: str, takes: int, audio_s: float, seconds: float, note: str = "") -> dict:
    return {
        "measure": measure,
        "takes": takes,
        "audio_s": round(audio_s, 1),
        "seconds": round(seconds, 3),
        "x_real_time": round(audio_s / seconds, 1),
        "note": note,
    }


def provenance_overhead(duration: float, repeats: int, takes: int) -> dict:
    """generation_run end to end on PostgreSQL, deployed as with workers (the log integrates
    after the commit, in batches), and the provenance work inside it: signing and recording
    the prompt, parameters and generation events, and integrating them into the log."""
    import os

    from bench._common import scratch_postgres

    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"  # queued tasks stay queued here
    with scratch_postgres("songproof_bench_generation", eager=False):
        from accounts.roles import Role
        from accounts.services import membership_create, organisation_create
        from generation import services
        from provenance import services as provenance_services

        spent = {"record": 0.0}

        def timed(function):
            def wrapper(*args, **kwargs):
                began = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    spent["record"] += time.perf_counter() - began

            return wrapper

        # Every event a generation writes goes through these two.
        services.contribution_record = timed(provenance_services.contribution_record)
        services.contribution_record_many = timed(provenance_services.contribution_record_many)

        owner = membership_create(
            organisation=organisation_create(slug="bench", name="Bench"), username="b", role=Role.OWNER
        )
        work = services.work_create(organisation=owner.organisation, title="bench", created_by=owner)
        shares, totals = [], []
        for n in range(repeats + 1):
            spent["record"] = 0.0
            began = time.perf_counter()
            request = services.generation_request_create(
                work=work,
                requested_by=owner,
                tags=["pop"],
                duration_s=duration,
                takes=takes,
                seed=n,
                queue=False,
            )
            services.generation_run(request_id=request.id)
            generated = time.perf_counter()
            while provenance_services.log_integrate() is not None:
                pass
            integrated = time.perf_counter() - generated
            if n:  # the first run pays for key creation and warm-up
                totals.append(generated - began)
                shares.append((spent["record"] + integrated) / (generated - began))
    share = 100 * statistics.median(shares)
    measure = f"generation of {takes} take(s), request to stored takes (PostgreSQL)"
    row = _row(measure, takes, duration * takes, statistics.median(totals))
    return row | {"note": f"provenance {share:.2f}% of it", "provenance_share_percent": round(share, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--batches", default="1,4,16")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default="generation", help="name of the JSON under bench/results/")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    rows = rtf_rows(args.duration, [int(n) for n in args.batches.split(",")], args.device, args.repeats)
    if args.device == "cpu":
        rows += [provenance_overhead(args.duration, args.repeats, takes) for takes in (1, 4)]
    from bench._common import report

    device = torch.cuda.get_device_name() if args.device == "cuda" else f"cpu, {args.threads} thread(s)"
    report(
        args.output,
        rows,
        command=f"make bench  (or: .venv/bin/python bench/generation.py --device {args.device})",
        extra={
            "device": device,
            "goals": {
                "x_real_time_one_take_one_core": 50,
                "x_real_time_gpu_batch": 1000,
                "provenance_share_percent": 2,
            },
            "settings": vars(args),
            "gpu": "run with --device cuda --output generation-gpu on a GPU machine; none was lent to the "
            "session that produced these results",
        },
    )


if __name__ == "__main__":
    main()
