"""sweep_orphans: take and export files that no row names go (after a grace period); every
file a row names stays."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from generation.models import Take

pytestmark = pytest.mark.django_db


def _file(relative: str, age_s: float) -> Path:
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF....WAVE")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def _sweep(*args) -> dict:
    out = io.StringIO()
    call_command("sweep_orphans", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_only_old_files_no_row_names_are_deleted(generate):
    assert generate(tags=["folk"], duration_s=4, takes=1, seed=3).status_code == 202
    recorded = Path(Take.objects.get().audio.path)
    os.utime(recorded, (time.time() - 7200, time.time() - 7200))  # old, but named by its row
    old_take = _file("takes/org/work/crashed.wav", age_s=7200)
    old_export = _file("exports/org/work/crashed.flac", age_s=7200)
    young = _file("exports/org/work/in-flight.flac", age_s=5)

    listed = _sweep("--dry-run")
    assert not listed["deleted"]
    assert {Path(o["path"]) for o in listed["orphans"]} == {old_take, old_export}
    assert old_take.exists() and old_export.exists()  # a dry run deletes nothing

    swept = _sweep()
    assert swept["deleted"] and len(swept["orphans"]) == 2
    assert not old_take.exists() and not old_export.exists()
    assert recorded.exists() and young.exists()


def test_a_negative_grace_period_is_refused():
    with pytest.raises(CommandError, match="--older-than"):
        call_command("sweep_orphans", "--older-than", "-1")
