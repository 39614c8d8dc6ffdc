"""Chooses the services the test session runs against, before Django reads its settings.

With PostgreSQL and Redis reachable (127.0.0.1 by default), the whole suite runs on them,
tasks stay eager unless a test starts the real worker, and tests marked `services` run.
Without them, the suite falls back to the embedded default (SQLite) and `services` tests
are skipped with a loud message. Under CI=true missing services are an error: CI must
never report a skipped check as a pass.

Override the addresses with SONGPROOF_TEST_DATABASE_URL and SONGPROOF_TEST_BROKER_URL.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/songproof"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
SERVICES_KEY = pytest.StashKey[dict]()


def _unreachable(url: str, default_port: int) -> str | None:
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError as exc:
        return f"{parts.scheme}://{address[0]}:{address[1]} ({exc.strerror or exc})"
    return None


def _choose(early_config: pytest.Config) -> dict:
    database_url = os.environ.get("SONGPROOF_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = os.environ.get("SONGPROOF_TEST_BROKER_URL", DEFAULT_BROKER_URL)
    problems = [p for p in (_unreachable(database_url, 5432), _unreachable(broker_url, 6379)) if p]
    if problems:
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(f"CI=true and the test services are unreachable: {'; '.join(problems)}")
        return {"available": False, "problems": problems}
    os.environ["DATABASE_URL"] = database_url
    os.environ["CELERY_BROKER_URL"] = broker_url
    # Tasks run eagerly in ordinary tests; the live-worker fixture turns this off.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    return {"available": True, "database_url": database_url, "broker_url": broker_url}


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser, args):
    # A wrapper runs before pytest-django's own hook, which reads the settings.
    early_config.stash[SERVICES_KEY] = _choose(early_config)
    return (yield)


def _banner(config: pytest.Config) -> str:
    services = config.stash[SERVICES_KEY]
    if services["available"]:
        return f"services: PostgreSQL {services['database_url']}, Redis {services['broker_url']}"
    return "services: UNAVAILABLE -> running on SQLite; tests marked 'services' are SKIPPED: " + "; ".join(
        services["problems"]
    )


def pytest_report_header(config: pytest.Config) -> str:
    return _banner(config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.stash[SERVICES_KEY]["available"]:
        return
    skip = pytest.mark.skip(
        reason="PostgreSQL/Redis unreachable: " + "; ".join(config.stash[SERVICES_KEY]["problems"])
    )
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if not config.stash[SERVICES_KEY]["available"]:
        terminalreporter.write_sep("!", "SERVICE TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_banner(config), red=True, bold=True)
