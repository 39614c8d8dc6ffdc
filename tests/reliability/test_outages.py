"""PostgreSQL or Redis stops under a running server: requests answer 503 in the error
contract (quickly, not hanging), nothing is half-written, and once the service is back the
same requests succeed without restarting the server.

Never the shared services: the test starts its own PostgreSQL cluster (initdb) and Redis,
migrates the cluster, and serves SongProof with gunicorn against them, as a deployment would
(CACHE_URL on Redis too, so rate limits count there).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from config.errors import MESSAGE_UNAVAILABLE
from tests.reliability.conftest import report_figures
from tests.reliability.processes import ROOT, PrivatePostgres, PrivateRedis, free_port, wait_for_port

RECOVERY_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 30  # far above what a 503 may take; a hang fails the test instead


@dataclass
class Stack:
    postgres: PrivatePostgres
    redis: PrivateRedis
    base: str
    token: str
    server: subprocess.Popen
    env: dict

    def call(self, method: str, path: str, **kwargs) -> tuple[requests.Response, float]:
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.monotonic()
        response = requests.request(
            method, self.base + path, headers=headers, timeout=REQUEST_TIMEOUT_S, **kwargs
        )
        return response, time.monotonic() - started


def _manage(env: dict, *arguments: str) -> str:
    command = [sys.executable, "manage.py", *arguments]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("outage")
    postgres = PrivatePostgres(folder=Path(tempfile.mkdtemp(prefix="songproof-outage-pg-")))
    redis = PrivateRedis(folder=folder)
    postgres.init()
    postgres.start()
    redis.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))} | {
        "DATABASE_URL": postgres.url(),
        "CELERY_BROKER_URL": redis.url(0),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": redis.url(1),
        "SONGPROOF_VAR_DIR": str(folder / "var"),
    }
    _manage(env, "migrate", "--noinput")
    token = _manage(env, "issue_token", "--org", "outage-studio", "--user", "olga", "--create").strip()
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", "1", "--threads", "4", "--timeout", "60"]
    with open(folder / "gunicorn.log", "w") as log:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, up=True)
        yield Stack(postgres, redis, f"http://127.0.0.1:{port}", token, server, env)
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.stop()
        postgres.stop()
        postgres.remove()


def _assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, response.text[:2000]
    assert response.json()["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def _until_ok(call, path: str) -> float:
    """Seconds until `path` answers 200 again, by itself."""
    started = time.monotonic()
    while True:
        response, _ = call("get", path)
        if response.status_code == 200:
            return time.monotonic() - started
        assert time.monotonic() - started < RECOVERY_TIMEOUT_S, response.text[:2000]
        time.sleep(0.2)


def test_database_outage_answers_503_and_recovers_by_itself(stack):
    response, _ = stack.call("post", "/api/works/", json={"title": "Before"})
    assert response.status_code == 201
    assert stack.call("get", "/api/health/")[0].status_code == 200

    stack.postgres.stop()
    health, health_s = stack.call("get", "/api/health/")
    assert health.status_code == 503 and not health.json()["checks"]["database"]["ok"]
    listing, read_s = stack.call("get", "/api/works/")
    _assert_unavailable(listing)
    written, write_s = stack.call("post", "/api/works/", json={"title": "During the outage"})
    _assert_unavailable(written)

    stack.postgres.start()
    recovery_s = _until_ok(stack.call, "/api/works/")
    titles = [work["title"] for work in stack.call("get", "/api/works/")[0].json()["results"]]
    assert "During the outage" not in titles and "Before" in titles
    assert stack.call("post", "/api/works/", json={"title": "After"})[0].status_code == 201
    assert stack.call("get", "/api/health/")[0].status_code == 200
    assert stack.server.poll() is None  # the same server process throughout
    report_figures(
        "postgres_outage",
        {
            "health_503_s": round(health_s, 3),
            "read_503_s": round(read_s, 3),
            "write_503_s": round(write_s, 3),
            "recovery_after_restart_s": round(recovery_s, 3),
        },
    )


def _signed_in(stack: Stack) -> requests.Session:
    """A browser session of the stack's user, signed in through the login page."""
    _manage(
        stack.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as users; "
        "olga = users().objects.get(username='olga'); olga.set_password('outage-pages-1'); olga.save()",
    )
    browser, login = requests.Session(), stack.base + "/login/"
    browser.get(login, timeout=REQUEST_TIMEOUT_S)
    fields = {"username": "olga", "password": "outage-pages-1"}
    fields["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    signed = browser.post(login, data=fields, headers={"Referer": login}, timeout=REQUEST_TIMEOUT_S)
    assert signed.status_code == 200 and "sessionid" in browser.cookies, signed.text[:2000]
    return browser


def test_pages_answer_a_database_outage_with_a_503_page_and_recover(stack):
    browser = _signed_in(stack)
    works = stack.base + "/works/"
    assert browser.get(works, timeout=REQUEST_TIMEOUT_S).status_code == 200

    stack.postgres.stop()
    try:
        during = browser.get(works, timeout=REQUEST_TIMEOUT_S)
    finally:
        stack.postgres.start()

    assert during.status_code == 503 and int(during.headers["Retry-After"]) > 0
    assert "Briefly unavailable" in during.text and during.headers["Content-Type"].startswith("text/html")
    _until_ok(lambda method, path: (browser.request(method, stack.base + path), 0.0), "/works/")
    assert stack.server.poll() is None


def test_broker_outage_answers_503_and_recovers_by_itself(stack):
    work, _ = stack.call("post", "/api/works/", json={"title": "Queued song"})
    assert work.status_code == 201
    generations = f"/api/works/{work.json()['id']}/generations/"
    body = {"prompt": "rain", "tags": ["ambient"], "duration_s": 2, "takes": 1, "seed": 1}
    assert stack.call("post", generations, json=body)[0].status_code == 202

    stack.redis.stop()
    health, health_s = stack.call("get", "/api/health/")
    assert health.status_code == 503 and not health.json()["checks"]["broker"]["ok"]
    listing, read_s = stack.call("get", "/api/works/")
    _assert_unavailable(listing)  # rate limits are counted in Redis (CACHE_URL)
    queued, write_s = stack.call("post", generations, json=body | {"seed": 2})
    _assert_unavailable(queued)

    stack.redis.start()
    recovery_s = _until_ok(stack.call, "/api/works/")
    assert stack.call("post", generations, json=body | {"seed": 3})[0].status_code == 202
    seeds = sorted(g["seed"] for g in stack.call("get", generations)[0].json()["results"])
    assert seeds == [1, 3]  # the refused request left no row behind
    assert stack.call("get", "/api/health/")[0].status_code == 200
    assert stack.server.poll() is None
    report_figures(
        "redis_outage",
        {
            "health_503_s": round(health_s, 3),
            "read_503_s": round(read_s, 3),
            "write_503_s": round(write_s, 3),
            "recovery_after_restart_s": round(recovery_s, 3),
        },
    )


@pytest.fixture
def broker_down(settings):
    """This process's tasks go to a broker address where nothing listens (a stopped Redis)."""
    from config.celery import app as celery_app

    previous = celery_app.conf.broker_write_url  # what publishing connects to
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_write_url = f"redis://127.0.0.1:{free_port()}/0"
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = previous
        celery_app.conf.task_always_eager = True


@pytest.mark.django_db
def test_without_a_broker_a_generation_request_is_refused_and_nothing_is_written(owner, broker_down):
    from generation.models import GenerationRequest
    from generation.services import work_create
    from provenance.models import ContributionEvent

    work = work_create(organisation=owner.organisation, title="Unsent", created_by=owner.membership)
    events = ContributionEvent.objects.filter(work=work).count()
    body = {"prompt": "rain", "tags": ["ambient"], "duration_s": 2, "takes": 1}
    started = time.monotonic()
    response = owner.client.post(f"/api/works/{work.id}/generations/", body, format="json")
    refused_s = time.monotonic() - started

    assert response.status_code == 503, response.content
    assert response.json()["error"] == {
        "code": "service_unavailable",
        "message": MESSAGE_UNAVAILABLE,
        "detail": {"service": "broker"},
    }
    assert not GenerationRequest.objects.filter(work=work).exists()
    assert ContributionEvent.objects.filter(work=work).count() == events  # no prompt, no parameters
    report_figures("broker_refusal", {"generation_request_503_s": round(refused_s, 3)})


@pytest.mark.django_db
def test_without_a_broker_an_upload_is_refused_before_any_file_is_written(broker_down, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.roles import OrganisationKind, Role
    from similarity.models import Ingestion
    from similarity.services import catalogue_create
    from tests.accounts.factories import OrganisationFactory
    from tests.conftest import make_persona
    from tests.reliability.conftest import tone_wav

    settings.MEDIA_ROOT = tmp_path / "media"
    label = make_persona(
        organisation=OrganisationFactory(kind=OrganisationKind.RIGHTS_HOLDER), role=Role.OWNER, username="lu"
    )
    catalogue = catalogue_create(organisation=label.organisation, name="Masters")
    upload = SimpleUploadedFile("one.wav", tone_wav(seed=1), content_type="audio/wav")
    response = label.client.post(f"/api/catalogues/{catalogue.id}/ingestions/", {"file": upload})

    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "service_unavailable"
    assert not Ingestion.objects.exists()
    assert not (tmp_path / "media" / "ingestions").exists()
