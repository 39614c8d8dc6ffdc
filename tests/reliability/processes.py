"""Processes the fault tests start, own and kill: a private Redis, a private PostgreSQL
cluster and a Celery worker in its own process group.

The shared PostgreSQL and Redis serve other test runs at the same time, so they are never
stopped here: an outage is an outage of a private instance started for the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("SONGPROOF_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
READY_TIMEOUT_S = 60


def missing(what: str) -> None:
    """A prerequisite is absent: skip loudly, or fail under CI=true (no skipped check passes)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {what}")
    pytest.skip(what)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, up: bool, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            if up:
                return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} still {'down' if up else 'up'} after {timeout}s")


@dataclass
class PrivateRedis:
    """`redis-server` on a free port, without persistence: stopping it loses every message."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            missing("redis-server is not installed (apt-get install redis-server)")
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        wait_for_port(self.port, up=False)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb into a temporary folder, trust auth), run as the
    `postgres` OS user when the tests run as root, since PostgreSQL refuses to run as root."""

    folder: Path  # outside pytest's tmp_path: that is private to root, and this runs as postgres
    port: int = field(default_factory=free_port)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr or done.stdout}")

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            missing(f"PostgreSQL server binaries not found in {PG_BIN} (SONGPROOF_TEST_PG_BIN)")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-l", log, "-o", options, "-w", "start"
        )
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        wait_for_port(self.port, up=False)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class KillableWorker:
    """A Celery worker (prefork) in a process group of its own, so one SIGKILL to the group
    takes the main process and the pool children carrying its tasks at once."""

    env: dict[str, str]
    log_path: Path
    name: str = ""
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.name = f"faults-{uuid.uuid4().hex[:8]}@localhost"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default,gpu"]
        command += ["-n", self.name, "--concurrency", "2", "--loglevel", "INFO"]
        command += ["--without-mingle", "--without-gossip"]
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"\n===== {self.name} =====\n")
            log.flush()
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while f"{self.name} ready." not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery worker not ready after {READY_TIMEOUT_S}s:\n{self.log()}")
            time.sleep(0.1)

    def kill(self) -> list[int]:
        """SIGKILL to the whole group; the pids that were in it."""
        group = os.getpgid(self.process.pid)
        pids = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-g", str(group)], capture_output=True, text=True
            ).stdout.split()
        ]
        os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=20)
        return pids

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")
