"""SIGKILL a Celery worker (main process and pool children) in the middle of a catalogue
ingestion, a training-data scan and a generation; a new worker finishes each job, every item
exactly once, and the provenance log stays consistent.

The job is caught mid-chunk deterministically: one of its files is a FIFO, so the worker
blocks reading it with earlier items (and chunks) done; the test kills the worker there, and
feeds the FIFO only to the worker started afterwards. The killed worker's message is really
redelivered by Redis (its visibility timeout, lowered for the test), nothing is re-sent here.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import pytest
import redis

from accounts.roles import OrganisationKind
from config.celery import app as celery_app
from generation.models import GenerationRequest, RequestStatus, Take
from generation.services import generation_request_create, work_create
from provenance.models import ContributionEvent
from similarity.catalogue_index import index_for, index_path
from similarity.index import FingerprintIndex, layout_for
from similarity.ingestion import catalogue_ingest, ingestion_counts, ingestion_create
from similarity.models import Ingestion, IngestionItem, Recording, Scan, ScanItem, ScanStatus
from similarity.scans import scan_create
from similarity.services import IngestItem, catalogue_create
from tests.accounts.factories import OrganisationFactory
from tests.log_checks import assert_log_consistent
from tests.reliability.conftest import report_figures, tone_wav

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
JOB_TIMEOUT_S = 90
INGEST, SCAN = "similarity.tasks.ingestion_process", "similarity.tasks.scan_process"
GENERATE = "generation.tasks.generation_run"


class Gate:
    """A FIFO standing in for one audio file. The test holds its write end open, so a worker
    that reads it blocks in read() (with the FIFO among its open files, where the test sees
    it) until `feed` writes the audio and closes: only then does the reader see the end."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data = path, data
        os.mkfifo(path)
        self._fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)  # RDWR: opening does not wait

    def wait_for_reader(self, worker, timeout: float = JOB_TIMEOUT_S) -> None:
        group = os.getpgid(worker.process.pid)
        deadline = time.monotonic() + timeout
        while not _group_has_open(group, self.path):
            assert time.monotonic() < deadline, "no worker reached the gate:\n" + worker.log()[-3000:]
            assert worker.process.poll() is None, worker.log()[-3000:]
            time.sleep(0.05)

    def feed(self) -> None:
        """In the background: the audio is larger than a pipe's buffer."""

        def write():
            os.set_blocking(self._fd, True)
            view = memoryview(self.data)
            while view:
                view = view[os.write(self._fd, view) :]
            os.close(self._fd)

        threading.Thread(target=write, daemon=True).start()


def _group_has_open(group: int, path: Path) -> bool:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != group:
                continue
            fds = Path(f"/proc/{pid}/fd")
            if any(os.readlink(fd) == str(path) for fd in fds.iterdir()):
                return True
        except OSError:
            continue
    return False


def _send(task: str, job_id, private_redis) -> None:
    """Publish the job's first message to the private broker (the test process is eager)."""
    queue = "gpu" if task.startswith("generation.") else "default"
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(private_redis.url()) as broker:
            celery_app.send_task(task, (str(job_id),), connection=broker, queue=queue)
    finally:
        celery_app.conf.task_always_eager = True


def _unacked(broker_url: str, task: str) -> int:
    """Messages of `task` a worker took and has not acknowledged (kombu's Redis ack emulation
    keeps them in the `unacked` hash until the ack, or until they are restored)."""
    held = redis.Redis.from_url(broker_url).hvals("unacked")
    return sum(json.loads(payload)[0]["headers"]["task"] == task for payload in held)


def _wait_until(done, worker, what: str) -> float:
    started = time.monotonic()
    while not done():
        assert time.monotonic() - started < JOB_TIMEOUT_S, f"{what} never finished:\n{worker.log()[-4000:]}"
        time.sleep(0.2)
    return time.monotonic() - started


def _kill_and_restart(worker_factory, worker, private_redis, task: str) -> tuple[object, dict]:
    pids = worker.kill()
    assert len(pids) >= 2, f"expected the main process and its pool children, got {pids}"
    in_flight = _unacked(private_redis.url(), task)
    assert in_flight >= 1, "the killed worker held no unacknowledged message"
    restarted = time.monotonic()
    replacement = worker_factory()
    return replacement, {
        "killed_pids": len(pids),
        "unacked_at_kill": in_flight,
        "worker_start_s": round(time.monotonic() - restarted, 2),
    }


def _acknowledged_and_reported(worker, private_redis, task: str, section: str, figures: dict) -> None:
    """Once the new worker has acknowledged the redelivered message: the log checked as after
    concurrent appends, and the test's figures reported with the log's."""
    _wait_until(lambda: _unacked(private_redis.url(), task) == 0, worker, "the acknowledgement")
    report_figures(section, figures | {"log": assert_log_consistent()})


def _label_catalogue(name: str):
    organisation = OrganisationFactory(kind=OrganisationKind.RIGHTS_HOLDER)
    return catalogue_create(organisation=organisation, name=name)


def test_ingestion_killed_mid_chunk_finishes_with_every_recording_once(
    worker_factory, private_redis, tmp_path
):

    catalogue = _label_catalogue("Masters")
    folder = tmp_path / "audio"
    folder.mkdir()
    # 40 distinct recordings (chunks of 20: the gate is the 11th item of the second chunk),
    # then 10 copies of the first ones, which must be skipped, not stored twice.
    audio = {n: tone_wav(seed=n) for n in range(40)}
    items = []
    for position in range(50):
        seed = position if position < 40 else position - 40
        path = folder / f"track-{position:02}.wav"
        if position == 30:
            gate = Gate(path, audio[seed])
        else:
            path.write_bytes(audio[seed])
        items.append(IngestItem(path=path, source_path=path.name))
    ingestion = ingestion_create(catalogue=catalogue, source=str(folder), items=items, queue=False)
    worker = worker_factory()
    _send(INGEST, ingestion.id, private_redis)

    gate.wait_for_reader(worker)
    at_kill = ingestion_counts(ingestion)
    assert at_kill[IngestionItem.Status.INGESTED] == 20 and at_kill[IngestionItem.Status.PENDING] == 30
    worker, figures = _kill_and_restart(worker_factory, worker, private_redis, INGEST)
    gate.feed()
    seconds = _wait_until(
        lambda: Ingestion.objects.get(pk=ingestion.pk).status == ScanStatus.DONE, worker, "the ingestion"
    )

    counts = ingestion_counts(ingestion)
    assert counts == {"pending": 0, "ingested": 40, "skipped": 10, "failed": 0}
    recordings = Recording.objects.filter(catalogue=catalogue)
    digests = {hashlib.sha256(data).hexdigest() for data in audio.values()}
    assert sorted(recordings.values_list("audio_sha256", flat=True)) == sorted(digests)
    for item in IngestionItem.objects.filter(ingestion=ingestion).select_related("recording"):
        seed = int(item.path[6:8]) % 40
        assert item.recording.audio_sha256 == hashlib.sha256(audio[seed]).hexdigest()
    index = FingerprintIndex.load(index_path(catalogue))
    assert sorted(index._values) == sorted(recordings.values_list("index_key", flat=True))
    fresh = FingerprintIndex(layout_for(sum(len(r.fingerprint_values()) for r in recordings)))
    fresh.add_many((r.index_key, r.fingerprint_values()) for r in recordings)
    assert (index.windows, index.items) == (fresh.windows, fresh.items)  # no entry added twice
    assert index_for(catalogue).windows == fresh.windows
    _acknowledged_and_reported(
        worker,
        private_redis,
        INGEST,
        "sigkill_ingestion",
        figures
        | {
            "items": 50,
            "done_at_kill": at_kill[IngestionItem.Status.INGESTED],
            "pending_at_kill": at_kill[IngestionItem.Status.PENDING],
            # Items of the interrupted chunk read before the gate, uncommitted: read again.
            "redone_items": 30 - at_kill[IngestionItem.Status.INGESTED],
            "recordings": recordings.count(),
            "duplicate_recordings": recordings.count() - len(digests),
            "finish_after_restart_s": round(seconds, 2),
        },
    )


def test_scan_killed_mid_chunk_finishes_with_every_item_once(worker_factory, private_redis, tmp_path):

    catalogue = _label_catalogue("Scanned against")
    licensed = tmp_path / "licensed"
    licensed.mkdir()
    for seed in range(3):
        (licensed / f"master-{seed}.wav").write_bytes(tone_wav(seed=seed, seconds=12))
    catalogue_ingest(
        catalogue=catalogue,
        items=[IngestItem(path=p, source_path=p.name) for p in sorted(licensed.iterdir())],
    )
    studio = OrganisationFactory(kind=OrganisationKind.CREATOR_STUDIO)
    folder = tmp_path / "dataset"
    folder.mkdir()
    items = []
    for position in range(40):  # chunks of 25: the gate is the 6th item of the second chunk
        path = folder / f"clip-{position:02}.wav"
        data = tone_wav(seed=position, seconds=12 if position < 3 else 5)
        if position == 30:
            gate = Gate(path, data)
        else:
            path.write_bytes(data)
        items.append(IngestItem(path=path, source_path=path.name))
    scan = scan_create(organisation=studio, source=str(folder), items=items, queue=False)
    worker = worker_factory()
    _send(SCAN, scan.id, private_redis)

    gate.wait_for_reader(worker)
    done_at_kill = ScanItem.objects.filter(scan=scan, status=ScanItem.Status.DONE).count()
    assert done_at_kill == 30
    worker, figures = _kill_and_restart(worker_factory, worker, private_redis, SCAN)
    gate.feed()
    seconds = _wait_until(lambda: Scan.objects.get(pk=scan.pk).status == ScanStatus.DONE, worker, "the scan")

    scanned = list(ScanItem.objects.filter(scan=scan).order_by("path"))
    assert [item.path for item in scanned] == [f"clip-{n:02}.wav" for n in range(40)]
    assert {item.status for item in scanned} == {ScanItem.Status.DONE}
    matched = [item.path for item in scanned if item.matches]
    assert matched == ["clip-00.wav", "clip-01.wav", "clip-02.wav"]
    assert all(len({m["recording_id"] for m in item.matches}) == len(item.matches) for item in scanned)
    _acknowledged_and_reported(
        worker,
        private_redis,
        SCAN,
        "sigkill_scan",
        figures
        | {
            "items": 40,
            "done_at_kill": done_at_kill,
            "pending_at_kill": 40 - done_at_kill,
            "redone_items": 30 - done_at_kill,  # items before the gate (30) not committed at the kill
            "duplicate_items": len(scanned) - 40,
            "finish_after_restart_s": round(seconds, 2),
        },
    )


def test_generation_killed_while_rendering_completes_once(worker_factory, private_redis, owner):

    work = work_create(organisation=owner.organisation, title="Interrupted", created_by=owner.membership)
    request = generation_request_create(
        work=work,
        requested_by=owner.membership,
        prompt="night drive",
        tags=["electronic"],
        duration_s=8.0,
        takes=3,
        seed=42,
        queue=False,
    )
    worker = worker_factory()
    _send(GENERATE, request.id, private_redis)

    def running():
        return GenerationRequest.objects.get(pk=request.pk).status == RequestStatus.RUNNING

    _wait_until(running, worker, "the start of the rendering")
    assert not Take.objects.filter(request=request).exists()
    worker, figures = _kill_and_restart(worker_factory, worker, private_redis, GENERATE)
    seconds = _wait_until(
        lambda: GenerationRequest.objects.get(pk=request.pk).status != RequestStatus.RUNNING,
        worker,
        "the generation",
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.DONE, request.error
    takes = list(Take.objects.filter(work=work).order_by("index"))
    assert [t.index for t in takes] == [0, 1, 2] and all(t.request_id == request.id for t in takes)
    for take in takes:
        with take.audio.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == take.sha256
        assert take.output_check is not None
    kinds = list(ContributionEvent.objects.filter(work=work).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["work.created", "prompt", "parameters", "generation", "check", "check", "check"]
    generation_events = ContributionEvent.objects.filter(work=work, kind="generation")
    assert generation_events.count() == 1
    assert generation_events.get().payload["takes"] == [
        {"id": str(t.id), "sha256": t.sha256, "duration_s": round(t.duration_s, 3)} for t in takes
    ]
    stored = {p.name for p in (Path(takes[0].audio.path).parent).iterdir()}
    assert stored == {f"{t.id}.wav" for t in takes}  # no file of an unrecorded take
    _acknowledged_and_reported(
        worker,
        private_redis,
        GENERATE,
        "sigkill_generation",
        figures
        | {
            "takes": len(takes),
            "generation_events": generation_events.count(),
            "finish_after_restart_s": round(seconds, 2),
        },
    )
