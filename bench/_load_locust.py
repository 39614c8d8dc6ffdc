"""The locust users of bench/load.py: one class per endpoint, each a stream of Poisson arrivals.

Run by bench/load.py (never by itself): LOAD_PLAN names a JSON file with the server's
tokens, ids and files and, for this step, each endpoint's user count and per-user rate.
Every request's latency and outcome is written to the plan's `samples` file when locust
quits, so the percentiles are computed from raw samples, not locust's rounded buckets.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import gevent
from locust import HttpUser, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
SAMPLES: dict[str, list[tuple[float, float, bool]]] = {}
FILES = {
    path: Path(path).read_bytes()
    for name in ("match_files", "verify_files", "stripped_files")
    for path in PLAN[name]
}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, start_time, **kwargs):
    SAMPLES.setdefault(name, []).append((start_time, response_time, exception is None))


@events.quitting.add_listener
def _write(environment, **kwargs):
    Path(PLAN["samples"]).write_text(json.dumps(SAMPLES))


def _step(endpoint: str) -> dict:
    """Only the classes of this step's endpoints are named on locust's command line."""
    return PLAN["step"].get(endpoint, {"users": 1, "rate": 1.0})


class _Client(HttpUser):
    """Exponential gaps between the *starts* of a user's requests (not after each answer), so
    the users together make a Poisson stream at the offered rate, as independent clients do,
    instead of locust's lockstep bursts. A user that falls behind fires at once and goes on
    from then, without catching up on what it missed."""

    abstract = True
    endpoint = ""
    organisation = "studio"

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {PLAN[self.organisation + '_token']}"
        self.rate = _step(self.endpoint)["rate"]
        gevent.sleep(random.expovariate(self.rate))  # no burst of first requests at spawn
        self.due = time.monotonic()

    def wait_time(self) -> float:
        now = time.monotonic()
        self.due = max(self.due + random.expovariate(self.rate), now)
        return self.due - now

    def upload(self, url: str, path: str, *, expect_work: bool):
        files = {"file": (Path(path).name, FILES[path], "application/octet-stream")}
        with self.client.post(url, files=files, name=self.endpoint, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            elif expect_work and response.json()["work"] is None:
                response.failure("an export was not traced to its work")
            elif not expect_work and not response.json()["matches"]:
                response.failure("an excerpt of a catalogue recording matched nothing")


class MatchUser(_Client):
    endpoint = "match"
    organisation = "label"  # match searches the caller's own catalogues: the label's
    fixed_count = _step("match")["users"]

    @task
    def match(self):
        self.upload("/api/match/", random.choice(PLAN["match_files"]), expect_work=False)


class VerifyUser(_Client):
    """A signed export: found by its C2PA manifest."""

    endpoint = "verify"
    fixed_count = _step("verify")["users"]

    @task
    def verify(self):
        self.upload("/api/verify/", random.choice(PLAN["verify_files"]), expect_work=True)


class VerifyStrippedUser(_Client):
    """An export re-encoded to MP3 (no manifest left): found by its soft binding."""

    endpoint = "verify_stripped"
    fixed_count = _step("verify_stripped")["users"]

    @task
    def verify(self):
        self.upload("/api/verify/", random.choice(PLAN["stripped_files"]), expect_work=True)


class EventsUser(_Client):
    endpoint = "events"
    fixed_count = _step("events")["users"]

    @task
    def events(self):
        url = f"/api/works/{random.choice(PLAN['works'])}/events/"
        with self.client.get(url, name="events", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")


class ExportUser(_Client):
    endpoint = "export"
    fixed_count = _step("export")["users"]

    @task
    def export(self):
        url = f"/api/takes/{random.choice(PLAN['takes'])}/exports/"
        body = {"format": PLAN["export_format"]}
        with self.client.post(url, json=body, name="export", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
