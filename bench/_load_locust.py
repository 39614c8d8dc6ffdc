"""The locust side of bench/load.py: an open-loop stream of requests per endpoint.

Run by bench/load.py (never by itself): LOAD_PLAN names a JSON file with the server's
tokens, ids and files and, for this step, each endpoint's rate and duration. One locust user
per endpoint starts a request every 1/rate seconds, each in its own greenlet, whether or not
the earlier ones have been answered (a constant arrival rate, as wrk2 makes: a slow answer
does not delay the next request, so the latencies carry no coordinated omission). Every
request's start, latency and outcome, and the number started, go to the plan's `samples`
file when locust quits: percentiles come from raw samples, not locust's rounded buckets.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import gevent
from gevent.pool import Group
from locust import HttpUser, constant, events, task
from requests.adapters import HTTPAdapter

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
SAMPLES: dict[str, list[tuple[float, float, bool]]] = {}
STARTED: dict[str, int] = {}
FILES = {
    path: Path(path).read_bytes()
    for name in ("match_files", "verify_files", "stripped_files")
    for path in PLAN[name]
}
_running = set(PLAN["step"])


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, start_time, **kwargs):
    SAMPLES.setdefault(name, []).append((start_time, response_time, exception is None))


@events.quitting.add_listener
def _write(environment, **kwargs):
    Path(PLAN["samples"]).write_text(json.dumps({"samples": SAMPLES, "started": STARTED}))


class _Endpoint(HttpUser):
    abstract = True
    fixed_count = 1
    wait_time = constant(3600)  # the one task runs the whole step
    endpoint = ""
    organisation = "studio"

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {PLAN[self.organisation + '_token']}"
        # Hundreds of requests may be in flight at once: keep their connections.
        self.client.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=500))

    @task
    def arrivals(self):
        step = PLAN["step"][self.endpoint]
        gap, count = 1 / step["rate"], round(step["rate"] * step["seconds"])
        in_flight = Group()
        began = time.monotonic()
        for n in range(count):
            gevent.sleep(max(0.0, began + n * gap - time.monotonic()))
            in_flight.spawn(self.request)
            STARTED[self.endpoint] = n + 1
        in_flight.join(timeout=PLAN["drain_s"])
        _running.discard(self.endpoint)
        if not _running:
            gevent.spawn(self.environment.runner.quit)

    def request(self):
        raise NotImplementedError

    def _check(self, response, status: int) -> bool:
        if response.status_code != status:
            response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            return False
        return True

    def upload(self, url: str, path: str, *, expect_work: bool):
        files = {"file": (Path(path).name, FILES[path], "application/octet-stream")}
        with self.client.post(url, files=files, name=self.endpoint, catch_response=True) as response:
            if not self._check(response, 200):
                return
            if expect_work and response.json()["work"] is None:
                response.failure("an export was not traced to its work")
            elif not expect_work and not response.json()["matches"]:
                response.failure("an excerpt of a catalogue recording matched nothing")


class MatchUser(_Endpoint):
    endpoint = "match"
    organisation = "label"  # match searches the caller's own catalogues: the label's

    def request(self):
        self.upload("/api/match/", random.choice(PLAN["match_files"]), expect_work=False)


class VerifyUser(_Endpoint):
    """A signed export: found by its C2PA manifest."""

    endpoint = "verify"

    def request(self):
        self.upload("/api/verify/", random.choice(PLAN["verify_files"]), expect_work=True)


class VerifyStrippedUser(_Endpoint):
    """An export re-encoded to MP3 (no manifest left): found by its soft binding."""

    endpoint = "verify_stripped"

    def request(self):
        self.upload("/api/verify/", random.choice(PLAN["stripped_files"]), expect_work=True)


class EventsUser(_Endpoint):
    endpoint = "events"

    def request(self):
        url = f"/api/works/{random.choice(PLAN['works'])}/events/"
        with self.client.get(url, name=self.endpoint, catch_response=True) as response:
            self._check(response, 200)


class ExportUser(_Endpoint):
    endpoint = "export"

    def request(self):
        url = f"/api/takes/{random.choice(PLAN['takes'])}/exports/"
        body = {"format": PLAN["export_format"]}
        with self.client.post(url, json=body, name=self.endpoint, catch_response=True) as response:
            self._check(response, 201)
