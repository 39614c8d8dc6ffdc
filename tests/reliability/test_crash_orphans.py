"""A crash between writing audio and recording its event leaves nothing a verification would
trust: no row names the file, /api/verify/ finds no work for it (signed or stripped), and the
work's evidence bundle and exports index ignore it.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from generation.exports import take_export
from generation.models import Export, GenerationRequest, RequestStatus, Take
from generation.services import generation_request_create, generation_run, work_create
from provenance.evidence import evidence_bundle_build
from provenance.exports_index import exports_index
from provenance.models import ContributionEvent
from provenance.verify import verify_bundle
from tests.log_checks import assert_log_consistent
from tests.reliability.conftest import report_figures
from tests.reliability.processes import ROOT
from tests.similarity.conftest import ffmpeg
from tests.worker import _test_database_url


def _generated_take(owner) -> Take:
    work = work_create(organisation=owner.organisation, title="Crash", created_by=owner.membership)
    request = generation_request_create(
        work=work, requested_by=owner.membership, tags=["folk"], duration_s=6.0, takes=1, seed=7, queue=False
    )
    generation_run(request_id=request.id)
    return Take.objects.select_related("work").get(request=request)


def _verify(persona, data: bytes) -> dict:
    upload = SimpleUploadedFile("orphan.wav", data, content_type="audio/wav")
    response = persona.client.post("/api/verify/", {"file": upload})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_export_killed_before_its_event_commits_leaves_an_orphan_nobody_trusts(owner, media):
    take = _generated_take(owner)
    take_export(take=take, fmt="wav", exported_by=owner.membership)  # one recorded export
    events = ContributionEvent.objects.filter(work=take.work).count()
    env = os.environ | {
        "DATABASE_URL": _test_database_url(),
        "MEDIA_ROOT": str(media),
        "C2PA_PKI_DIR": str(settings.C2PA_PKI_DIR),
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    command = [sys.executable, "-m", "tests.reliability.crash_export", str(take.id), owner.username]
    crashed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-3000:]

    recorded = {Path(e.file.path) for e in Export.objects.all()}
    on_disk = set((media / "exports").rglob("*.*"))
    orphans = on_disk - recorded
    assert len(recorded) == 1 and len(orphans) == 1  # the crash left its signed file behind
    orphan = orphans.pop().read_bytes()
    assert ContributionEvent.objects.filter(work=take.work).count() == events  # no export event
    assert not Export.objects.filter(sha256=hashlib.sha256(orphan).hexdigest()).exists()

    signed = _verify(owner, orphan)  # its manifest names an export that was never recorded
    assert signed["recovered_by"] == "manifest" and signed["work"] is None
    stripped = _verify(owner, ffmpeg(orphan, "-map_metadata", "-1"))
    # The exports index holds the orphan's entry (written before the kill) but no row: the
    # stripped copy resolves to the recorded export of the same take, never to the orphan.
    assert stripped["match"] is None or stripped["match"]["export"] in {
        str(e.id) for e in Export.objects.all()
    }
    bundle = evidence_bundle_build(work=take.work)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        audio = [name for name in archive.namelist() if name.startswith("audio/")]
        files = {name: archive.read(name) for name in archive.namelist()}
    assert audio == [f"audio/{Export.objects.get().id}.wav"]
    assert verify_bundle(files).ok
    call_command("sweep_orphans", "--older-than", "0")  # the operator's clean-up after a crash
    assert set((media / "exports").rglob("*.*")) == recorded
    assert len(exports_index()) == 1 and all(e.index_key in exports_index() for e in Export.objects.all())
    log = assert_log_consistent()
    report_figures(
        "crash_export",
        {"orphan_files": 1, "orphan_trusted": signed["work"] is not None, "log": log},
    )


@pytest.mark.django_db
def test_generation_failing_before_its_event_commits_removes_the_takes_files(owner, media, monkeypatch):
    work = work_create(organisation=owner.organisation, title="Crash", created_by=owner.membership)
    request = generation_request_create(
        work=work, requested_by=owner.membership, tags=["folk"], duration_s=4.0, takes=2, seed=7, queue=False
    )
    written = []

    def crash(**kwargs):
        written.extend((media / "takes").rglob("*.wav"))
        raise SystemExit("killed between writing the takes and recording the generation")

    monkeypatch.setattr("generation.services.contribution_record", crash)
    with pytest.raises(SystemExit):
        generation_run(request_id=request.id)

    assert len(written) == 2  # the files existed when the crash came
    assert not list((media / "takes").rglob("*.wav"))
    assert not Take.objects.filter(work=work).exists()
    assert not ContributionEvent.objects.filter(work=work, kind="generation").exists()
    assert (
        GenerationRequest.objects.get(pk=request.pk).status == RequestStatus.RUNNING
    )  # redelivery redoes it
