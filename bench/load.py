"""Load and backup/restore, on gunicorn + PostgreSQL + Redis, driven by locust on loopback.

    .venv/bin/python bench/load.py [--quick] [--step-seconds S] [--workers N]

1. Seeds a private database (songproof_load, dropped afterwards) through the services: a
   label's catalogue of builtin-generated recordings, a studio's works with thousands of
   signed events, generated takes and signed FLAC exports.
2. Serves it as production does: SONGPROOF_ENV=production (DEBUG off), gunicorn with the
   Dockerfile's 3 workers, Redis as broker (db 12) and cache (db 13, where rate limits are
   counted), a Celery worker that integrates the log. API_TOKEN_RATE is raised to
   1000000/minute so that the per-token limit (600/minute by default) does not cap the run.
3. For each endpoint alone (events, verify of a signed export, verify of a stripped MP3 copy,
   match, export), steps the offered rate: locust, one process on the same 2 cores, open loop
   at a constant arrival rate (a request every 1/rate s, answered or not). A step *kept up*
   when every request was answered without error and latency did not grow through the step;
   it *meets the goal* when it kept up and, for the reads (all but export), p99 <= 100 ms.
   The sustained rate is the highest step that met the goal, the capacity the highest that
   kept up; stepping stops at the first step that did not keep up.
4. Backs the seeded service up with scripts/backup, restores it with scripts/restore into
   songproof_load_restored and a new media folder, and times both; the restored copy must
   give the same checkpoint root, tree size and match answers.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, where bench/c2pa.py would hide
# the c2pa package that exports import.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
DATABASE, RESTORED = "songproof_load", "songproof_load_restored"
REDIS = os.environ.get("SONGPROOF_BENCH_REDIS", "redis://127.0.0.1:6379")
BROKER_DB, CACHE_DB = 12, 13
READS = ("events", "verify", "verify_stripped", "match")  # nothing stored changes
P99_GOAL_MS = 100
STEPS = {  # offered requests per second, per endpoint alone
    "events": [10, 20, 40, 60, 80, 120, 160],
    "verify": [2, 4, 8, 12, 16, 24, 32],
    "verify_stripped": [1, 2, 3, 4, 6],
    "match": [0.25, 0.5, 1, 1.5, 2],
    "export": [0.25, 0.5, 1, 1.5, 2],
}
QUICK_STEPS = {
    "events": [10, 40, 80],
    "verify": [2, 8],
    "verify_stripped": [1, 4],
    "match": [0.5, 2],
    "export": [0.5, 2],
}
CLASSES = {
    "events": "EventsUser",
    "verify": "VerifyUser",
    "verify_stripped": "VerifyStrippedUser",
    "match": "MatchUser",
    "export": "ExportUser",
}


def settings_environment(work: Path) -> dict[str, str]:
    """What every process of the run shares: the database, media, secrets, the local PKI."""
    from bench._common import SERVER

    var = work / "var"
    return {
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "SONGPROOF_VAR_DIR": str(var),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "SONGPROOF_KEY_ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "LOG_LEVEL": "WARNING",
    }


def production_environment(shared: dict[str, str], work: Path) -> dict[str, str]:
    pki = work / "var" / "pki"
    return (
        os.environ
        | shared
        | {
            "SONGPROOF_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Behind the TLS proxy a deployment has; locust speaks plain HTTP on loopback.
            "SECURE_SSL_REDIRECT": "false",
            "CELERY_BROKER_URL": f"{REDIS}/{BROKER_DB}",
            "CACHE_URL": f"{REDIS}/{CACHE_DB}",
            "API_TOKEN_RATE": "1000000/minute",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "C2PA_CERT_CHAIN_PATH": str(pki / "c2pa-chain.pem"),
            "C2PA_PRIVATE_KEY_PATH": str(pki / "c2pa-signing-key.pem"),
            "C2PA_TRUST_ANCHORS_PATH": str(pki / "c2pa-anchors.pem"),
        }
    )


def _track(tags: tuple[str, ...], seed: int, seconds: float) -> bytes:
    from generation.plan import make_plan, parse_tags
    from generation.synth import render, trimmed_to, wav_bytes

    plan = make_plan(parse_tags(list(tags)), master_seed=seed, take=0, duration_s=seconds)
    return wav_bytes(trimmed_to(render([plan], noise_seed=seed)[0], plan))


def _excerpt(data: bytes, start_s: float, seconds: float) -> bytes:
    from generation.synth import SAMPLE_RATE, read_wav, wav_bytes

    audio, _ = read_wav(data)
    return wav_bytes(audio[:, int(start_s * SAMPLE_RATE) : int((start_s + seconds) * SAMPLE_RATE)])


def _mp3(data: bytes) -> bytes:
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", "pipe:0", "-b:a", "128k", "-f", "mp3", "pipe:1"]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


TAGS = [("pop",), ("rock",), ("jazz",), ("electronic", "dark"), ("folk", "happy"), ("hiphop",)]


def seed_catalogue(work: Path, recordings: int, seconds: float) -> tuple[str, list[Path]]:
    """The label, its catalogue, and 10-s excerpts of some recordings to match."""
    from accounts.roles import OrganisationKind, Role
    from accounts.services import membership_create, organisation_create, token_issue
    from similarity.ingestion import catalogue_ingest
    from similarity.services import IngestItem, catalogue_create

    label = organisation_create(slug="northwind", name="Northwind", kind=OrganisationKind.RIGHTS_HOLDER)
    owner = membership_create(organisation=label, username="nora", role=Role.OWNER)
    token = token_issue(membership=owner, name="load").secret
    folder, queries = work / "masters", work / "queries"
    folder.mkdir()
    queries.mkdir(exist_ok=True)
    items = []
    for number in range(recordings):
        data = _track(TAGS[number % len(TAGS)], seed=1000 + number, seconds=seconds)
        path = folder / f"track-{number:03}.wav"
        path.write_bytes(data)
        items.append(IngestItem(path, path.name))
        if number % max(1, recordings // 8) == 0:
            query = queries / f"match-{number:03}.wav"
            query.write_bytes(_excerpt(data, start_s=3 + number % 7 * 2, seconds=10))
    catalogue = catalogue_create(organisation=label, name="Masters")
    report = catalogue_ingest(catalogue=catalogue, items=items)
    assert report["ingested"] == recordings, report
    return token, sorted(queries.glob("match-*.wav"))


def seed_studio(work: Path, works: int, events: int, generated: int) -> dict:
    """The studio: `works` works holding `events` events in all; `generated` of them with a
    generation of two 30-s takes, one selected and exported to FLAC."""
    from accounts.roles import Role
    from accounts.services import membership_create, organisation_create, token_issue
    from generation.exports import take_export
    from generation.models import Take
    from generation.services import generation_request_create, generation_run, take_select, work_create
    from provenance.services import EventDraft, contribution_record_many, log_integrate

    studio = organisation_create(slug="aurora", name="Aurora Studio")
    ada = membership_create(organisation=studio, username="ada", role=Role.OWNER)
    token = token_issue(membership=ada, name="load").secret
    created = [work_create(organisation=studio, title=f"Song {n}", created_by=ada) for n in range(works)]
    takes, verify_files, stripped_files = [], [], []
    for n, song in enumerate(created[:generated]):
        request = generation_request_create(
            work=song,
            requested_by=ada,
            prompt="harbour lights",
            tags=["pop"],
            duration_s=30,
            takes=2,
            seed=n,
            queue=False,
        )
        generation_run(request_id=request.id)
        take = Take.objects.filter(request=request).order_by("index").first()
        take_select(take=take, selected_by=ada)
        export = take_export(take=take, fmt="flac", exported_by=ada)
        signed = Path(export.file.path).read_bytes()
        verify_files.append(str(work / "queries" / f"verify-{n}.flac"))
        stripped_files.append(str(work / "queries" / f"verify-{n}-stripped.mp3"))
        Path(verify_files[-1]).write_bytes(signed)
        Path(stripped_files[-1]).write_bytes(_mp3(signed))
        takes.append(str(take.id))
    per_work = max(0, events // works - 1)
    for song in created:
        for first in range(0, per_work, 100):
            drafts = [
                EventDraft("note", {"text": f"note {i}"}, ada)
                for i in range(first, min(per_work, first + 100))
            ]
            contribution_record_many(work=song, drafts=drafts)
    while log_integrate() is not None:
        pass
    return {
        "studio_token": token,
        "works": [str(w.id) for w in created],
        "takes": takes,
        "verify_files": verify_files,
        "stripped_files": stripped_files,
    }


def seed(work: Path, scale: dict) -> dict:
    from django.core.management import call_command

    call_command("init_pki", stdout=_Capture())
    started = time.perf_counter()
    label_token, match_files = seed_catalogue(work, scale["recordings"], scale["recording_s"])
    studio = seed_studio(work, scale["works"], scale["events"], scale["generated"])
    return studio | {
        "label_token": label_token,
        "match_files": [str(p) for p in match_files],
        "seed_s": round(time.perf_counter() - started, 1),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(env: dict[str, str], workers: int, logs: Path):
    """gunicorn and a Celery worker, as the Dockerfile and scripts/run start them."""
    port = _free_port()
    python = str(ROOT / ".venv" / "bin" / "python")
    commands = {
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        "gunicorn": [
            python,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
    }
    processes = {}
    try:
        for name, command in commands.items():
            out = (logs / f"{name}.log").open("w")
            processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        host = f"http://127.0.0.1:{port}"
        _wait_until_up(host, processes["gunicorn"])
        yield host
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(host: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{host}/api/health/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /api/health/ within 60 s")


DRAIN_S = 30  # after the last arrival, how long answers are waited for


def run_step(plan: dict, rates: dict[str, float], seconds: float, work: Path) -> dict[str, dict]:
    """One locust run: each endpoint of `rates` at its constant arrival rate for `seconds`."""
    step = {name: {"rate": rate, "seconds": seconds} for name, rate in rates.items()}
    plan_path, samples_path = work / "plan.json", work / "samples.json"
    plan_path.write_text(json.dumps(plan | {"step": step, "samples": str(samples_path), "drain_s": DRAIN_S}))
    locust = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "_load_locust.py")]
    command = [
        *locust,
        *("--headless", "--host", plan["host"], "-u", str(len(rates)), "-r", str(len(rates))),
        *("-t", f"{seconds + DRAIN_S + 15:g}s", "--only-summary", "--loglevel", "WARNING"),
        *(CLASSES[name] for name in rates),
    ]
    env = os.environ | {"LOAD_PLAN": str(plan_path)}
    with (work / "locust.log").open("a") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    measured = json.loads(samples_path.read_text())
    return {
        name: step_result(
            name, rate, seconds, measured["samples"].get(name, []), measured["started"].get(name, 0)
        )
        for name, rate in rates.items()
    }


def step_result(name: str, rate: float, seconds: float, samples: list, started: int) -> dict:
    """kept_up: every request answered, none failed, and not falling behind (the median
    latency of the last quarter of arrivals within twice that of the first quarter, plus
    100 ms: a queue that grows through the step shows there); meets_goal: kept up and, for a
    read, p99 within the goal."""
    from bench._common import percentile

    samples = sorted(samples)
    latencies = [ms for _, ms, _ in samples]
    quarter = max(1, len(samples) // 4)
    first, last = latencies[:quarter], latencies[-quarter:]
    falling_behind = bool(samples) and percentile(last, 50) > 2 * percentile(first, 50) + 100
    failed = sum(not ok for *_, ok in samples)
    unanswered = started - len(samples)
    kept_up = bool(samples) and not failed and not unanswered and not falling_behind
    p99 = round(percentile(latencies, 99), 1) if samples else None
    return {
        "offered_per_s": rate,
        "seconds": seconds,
        "requests": started,
        "p50_ms": round(percentile(latencies, 50), 1) if samples else None,
        "p99_ms": p99,
        "max_ms": round(max(latencies), 1) if samples else None,
        "errors": failed + unanswered,
        "unanswered": unanswered,
        "falling_behind": falling_behind,
        "kept_up": kept_up,
        "meets_goal": kept_up and (name not in READS or p99 <= P99_GOAL_MS),
    }


def step_endpoint(plan: dict, name: str, rates: list[float], seconds: float, work: Path) -> list[dict]:
    steps = []
    for rate in rates:
        # At least 10 requests in a step, or its p99 would say nothing.
        result = run_step(plan, {name: rate}, max(seconds, 10 / rate), work)[name]
        steps.append(result)
        print(f"  {name:<15} offered {rate:>6g}/s: {result}", flush=True)
        if not result["kept_up"]:
            break
    return steps


def warm_up(plan: dict, work: Path) -> None:
    """Every gunicorn worker loads its indexes, keys and C2PA reader on its first requests."""
    run_step(plan, {"events": 5, "verify": 2, "verify_stripped": 1, "match": 1, "export": 0.5}, 10, work)


def _run_timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed: {done.stdout}\n{done.stderr}")
    return time.perf_counter() - began, done.stdout


def backup_and_restore(shared: dict[str, str], work: Path, match_files: list[str]) -> dict:
    """scripts/backup, then scripts/restore into a new database and media folder; the same
    checkpoint and matches from the copy."""
    from django.core.management import call_command

    from bench._common import SERVER, _admin
    from provenance.models import ContributionEvent, LogNode
    from provenance.selectors import checkpoint_latest

    checkpoint = checkpoint_latest()
    events, nodes = ContributionEvent.objects.count(), LogNode.objects.count()
    queries = match_files[:3]
    call_command("match", *queries, "--json", stdout=(out := _Capture()))
    source = os.environ | shared
    restored = source | {"DATABASE_URL": f"{SERVER}/{RESTORED}", "MEDIA_ROOT": str(work / "restored-media")}
    _admin(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
    try:
        backup_s, _ = _run_timed(["scripts/backup", str(work / "backup")], source)
        restore_s, said = _run_timed(["scripts/restore", str(work / "backup")], restored)
        check_s, check = _run_timed(
            [sys.executable, "manage.py", "rebuild_log", "--check", "--json"], restored
        )
        _, matched = _run_timed([sys.executable, "manage.py", "match", *queries, "--json"], restored)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
    phases = re.search(r"restored in ([\d.]+) s, derived state rebuilt in ([\d.]+) s", said)
    log = json.loads(check)
    return {
        "events": events,
        "log_nodes": nodes,
        "recordings_and_exports_media_mib": round(_size(Path(shared["MEDIA_ROOT"])) / 2**20, 1),
        "dump_mib": round((work / "backup" / "database.dump").stat().st_size / 2**20, 1),
        "media_tar_mib": round((work / "backup" / "media.tar").stat().st_size / 2**20, 1),
        "backup_s": round(backup_s, 1),
        "restore_s": round(restore_s, 1),
        "restore_database_and_media_s": float(phases[1]),
        "rebuild_indexes_and_log_s": float(phases[2]),
        "rebuild_log_check_s": round(check_s, 1),
        "same_checkpoint": (log["tree_size"], log["root_hash"])
        == (checkpoint.tree_size, bytes(checkpoint.root_hash).hex()),
        "log_check_ok": log["ok"],
        "same_matches": _without_paths(json.loads(matched)) == _without_paths(json.loads(out.text)),
    }


class _Capture:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def _without_paths(results: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "path"} for r in results]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _flush_own_redis_dbs() -> None:
    """Our two Redis databases only (rate-limit counts, queued tasks of an earlier run)."""
    import redis

    for db in (BROKER_DB, CACHE_DB):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def summary_row(name: str, steps: list[dict]) -> dict:
    """The highest rate within the goal (or, when none was, the lowest step as measured), and
    the highest rate the service kept up with whatever the latency (its capacity here)."""
    good = [step for step in steps if step["meets_goal"]]
    kept = [step for step in steps if step["kept_up"]]
    shown = good[-1] if good else steps[0]
    return {
        "endpoint": name,
        "goal": f"p99 <= {P99_GOAL_MS} ms" if name in READS else "0 errors",
        "sustained_per_s": shown["offered_per_s"] if good else "-",
        "requests": shown["requests"],
        "p50_ms": shown["p50_ms"],
        "p99_ms": shown["p99_ms"],
        "errors": shown["errors"],
        "kept_up_to_per_s": kept[-1]["offered_per_s"] if kept else "-",
        "p99_there_ms": kept[-1]["p99_ms"] if kept else "-",
        "next_step": _next_step(steps, len(kept)),
    }


def _next_step(steps: list[dict], kept: int) -> str:
    if kept == len(steps):
        return "none offered"
    step = steps[kept]
    why = "falling behind" if step["falling_behind"] else f"{step['errors']} errors"
    return f"{step['offered_per_s']:g}/s: {why}, p99 {step['p99_ms']} ms"


SCALES = {
    "full": {"recordings": 30, "recording_s": 40, "works": 100, "events": 20_000, "generated": 4},
    "quick": {"recordings": 12, "recording_s": 30, "works": 20, "events": 2_000, "generated": 3},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller service, fewer and shorter steps")
    parser.add_argument("--step-seconds", type=float, help="length of each load step (15, quick 8)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Dockerfile's 3)")
    args = parser.parse_args()
    scale = SCALES["quick" if args.quick else "full"]
    steps = QUICK_STEPS if args.quick else STEPS
    seconds = args.step_seconds or (8 if args.quick else 15)
    work = Path(tempfile.mkdtemp(prefix="songproof-load-"))
    shared = settings_environment(work)
    os.environ.update(shared)  # before Django starts in this process
    load_before = os.getloadavg()
    from bench._common import report, scratch_postgres

    with scratch_postgres(DATABASE):
        plan = seed(work, scale)
        print(f"seeded in {plan['seed_s']} s: {scale}", flush=True)
        _flush_own_redis_dbs()
        env = production_environment(shared, work)
        with serving(env, args.workers, work) as host:
            plan |= {"host": host, "export_format": "flac"}
            warm_up(plan, work)
            measured = {name: step_endpoint(plan, name, steps[name], seconds, work) for name in steps}
        backup = backup_and_restore(shared, work, plan["match_files"])
    load_after = os.getloadavg()
    report(
        "load",
        [summary_row(name, results) for name, results in measured.items()],
        command=f"make bench  (or: .venv/bin/python bench/load.py{' --quick' if args.quick else ''})",
        extra={
            "settings": {
                "scale": scale,
                "step_seconds": seconds,
                "gunicorn_workers": args.workers,
                "steps_offered_per_s": steps,
                "api_token_rate": "1000000/minute (raised for the run; default 600/minute)",
                "load_generator": "locust, 1 process, open loop at a constant arrival rate, same machine",
                "match_query": "10-s WAV excerpts (44.1 kHz stereo) of catalogue recordings",
                "verify_query": "signed 30-s FLAC exports (verify_stripped: their 128k MP3 re-encodes)",
                "export": "FLAC of a 30-s take: encode, AIGC label, C2PA sign, fingerprint, index",
            },
            "kept_up_when": (
                "every request answered, 0 errors, and the median latency of the last quarter of "
                "arrivals <= 2x that of the first quarter + 100 ms"
            ),
            "meets_goal_when": f"kept up and, for reads ({', '.join(READS)}), p99 <= {P99_GOAL_MS} ms",
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "steps": measured,
            "backup_restore": backup,
        },
    )
    print(json.dumps(backup, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
