"""Backup and restore (docs/backup.md): scripts/backup, then scripts/restore into a fresh
database and media folder, gives back the same matches, checkpoint and verification.

The state is built in this process on the test database; the restored service is run as
the operator would, by manage.py commands in their own processes, with the same secrets
(key-encryption key, C2PA credentials) and nothing else carried over. The backup leaves out
the derived state (index files, the log's node cache), so the restore must rebuild it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.roles import OrganisationKind
from generation.models import Take
from generation.services import work_create, work_note_add
from provenance.keys import key_encryption_key
from provenance.models import LogNode
from provenance.pki import ANCHORS_FILE, CHAIN_FILE, KEY_FILE
from provenance.selectors import checkpoint_latest
from similarity.ingestion import catalogue_ingest
from similarity.services import IngestItem, catalogue_create
from tests.accounts.factories import OrganisationFactory
from tests.provenance.conftest import export_of, integrate
from tests.similarity.conftest import excerpt, ffmpeg, track

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
_TAGS = [("pop",), ("rock",), ("jazz",), ("electronic", "dark"), ("folk", "happy")]
TOOLS = ("pg_dump", "pg_restore", "psql", "tar", "sha256sum", "ffmpeg")


@pytest.fixture
def tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {', '.join(missing)} missing (Debian: postgresql-client, ffmpeg)")
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (Debian: postgresql-client, ffmpeg)")


@pytest.fixture
def service(tmp_path, settings, owner, django_capture_on_commit_callbacks):
    """A label's catalogue of five recordings; a studio's work with notes, a generated take
    and a FLAC export; excerpts and copies to look up."""
    settings.MEDIA_ROOT = tmp_path / "media"
    label = OrganisationFactory(slug="northwind", name="Northwind", kind=OrganisationKind.RIGHTS_HOLDER)
    folder = tmp_path / "masters"
    folder.mkdir()
    recordings = {n: track(tags, seed=300 + n, seconds=30) for n, tags in enumerate(_TAGS, start=1)}
    for number, data in recordings.items():
        (folder / f"track-{number}.wav").write_bytes(data)
    catalogue = catalogue_create(organisation=label, name="Masters")
    items = [IngestItem(path, path.name) for path in sorted(folder.iterdir())]
    assert catalogue_ingest(catalogue=catalogue, items=items)["ingested"] == len(recordings)

    work = work_create(organisation=owner.organisation, title="Harbour Lights", created_by=owner.membership)
    work_note_add(work=work, text="Wrote the chorus by hand.", author=owner.membership)
    body = {"prompt": "a slow song about the sea", "tags": ["folk"], "takes": 1, "duration_s": 8, "seed": 5}
    response = owner.client.post(f"/api/works/{work.id}/generations/", body, format="json")
    assert response.status_code == 202, response.content
    take = Take.objects.get(request_id=response.json()["id"])
    export, signed = export_of(owner, take, "flac")
    integrate()

    files = tmp_path / "queries"
    files.mkdir()
    queries = {
        "excerpt-2.wav": excerpt(recordings[2], 8, 10),
        "excerpt-4-noisy.mp3": ffmpeg(excerpt(recordings[4], 15, 10), "-b:a", "64k", fmt="mp3"),
        "unrelated.wav": track(("jazz",), seed=999, seconds=12),
        "export.flac": signed,
        "stripped.mp3": ffmpeg(signed, "-b:a", "128k", fmt="mp3"),
    }
    for name, data in queries.items():
        (files / name).write_bytes(data)
    return {"files": files, "work": str(work.id), "export": str(export.id)}


def _environment(tmp_path: Path, *, database: str, media: Path) -> dict[str, str]:
    """What the restored service is configured with: the same secrets, its own database and
    media folder."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    pki = Path(settings.C2PA_PKI_DIR)
    return os.environ | {
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{database}",
        "MEDIA_ROOT": str(media),
        "SONGPROOF_VAR_DIR": str(tmp_path / "var"),
        "SONGPROOF_KEY_ENCRYPTION_KEY": base64.b64encode(key_encryption_key()).decode(),
        "SONGPROOF_LOG_ORIGIN": settings.SONGPROOF_LOG_ORIGIN,
        "C2PA_CERT_CHAIN_PATH": str(pki / CHAIN_FILE),
        "C2PA_PRIVATE_KEY_PATH": str(pki / KEY_FILE),
        "C2PA_TRUST_ANCHORS_PATH": str(pki / ANCHORS_FILE),
    }


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _manage_all(commands: list[list[str]], env: dict[str, str]) -> list[str]:
    """Several manage.py commands at once, each in its own process; their outputs in order."""
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *c],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for c in commands
    ]
    outputs = []
    for command, process in zip(commands, processes, strict=True):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{command}: {out.decode()}\n{err.decode()}"
        outputs.append(out.decode())
    return outputs


def _in_process(capsys, *command: str):
    call_command(*command)
    return json.loads(capsys.readouterr().out)


def _drop(database: str) -> None:
    db = connection.settings_dict
    address = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **address) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_a_restored_backup_matches_proves_and_verifies_as_the_original(service, tmp_path, capsys, tools):
    files = service["files"]
    queries = [str(files / name) for name in ("excerpt-2.wav", "excerpt-4-noisy.mp3", "unrelated.wav")]
    match_before = _in_process(capsys, "match", *queries, "--json")
    verify_before = [
        _in_process(capsys, "verify", str(files / n), "--json") for n in ("export.flac", "stripped.mp3")
    ]
    checkpoint, nodes = checkpoint_latest(), LogNode.objects.count()
    source = _environment(tmp_path, database=connection.settings_dict["NAME"], media=settings.MEDIA_ROOT)
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    restored = _environment(tmp_path, database=restored_name, media=tmp_path / "restored-media")

    _run(["scripts/backup", str(tmp_path / "backup")], source)
    try:
        restore = _run(["scripts/restore", str(tmp_path / "backup")], restored)
        match_after, verify_export, verify_stripped, check, _ = _manage_all(
            [
                ["match", *queries, "--json"],
                ["verify", str(files / "export.flac"), "--json"],
                ["verify", str(files / "stripped.mp3"), "--json"],
                ["rebuild_log", "--check", "--json"],
                ["export_evidence", "--work", service["work"], "--out", str(tmp_path / "bundle.zip")],
            ],
            restored,
        )
        bundle = json.loads(
            _run(
                [sys.executable, "-m", "provenance.verify", str(tmp_path / "bundle.zip"), "--json"], restored
            )
        )
    finally:
        _drop(restored_name)

    # The index files and the log's nodes were not in the backup: the restore rebuilt them.
    assert not list((tmp_path / "backup").glob("*.npz"))
    assert re.search(rf"\b{nodes} inserted\b", restore), restore
    assert sorted(p.name for p in (tmp_path / "restored-media" / "indexes").glob("*.npz")) == sorted(
        p.name for p in Path(settings.MEDIA_ROOT, "indexes").glob("*.npz")
    )
    assert match_before[0]["matches"] and match_before[1]["matches"] and not match_before[2]["matches"]
    assert json.loads(match_after) == match_before
    log = json.loads(check)
    assert log["ok"] and log["nodes_missing"] == 0 and log["nodes_computed"] == nodes
    assert (log["tree_size"], log["root_hash"]) == (checkpoint.tree_size, bytes(checkpoint.root_hash).hex())
    assert bundle["ok"], bundle["checks"]
    assert any(c["name"].endswith(".inclusion") for c in bundle["checks"]), bundle["checks"]
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        signed = archive.read("log/checkpoint.txt").decode().split("\n")
    assert (int(signed[1]), signed[2]) == (
        checkpoint.tree_size,
        base64.b64encode(bytes(checkpoint.root_hash)).decode(),
    )
    assert [json.loads(verify_export), json.loads(verify_stripped)] == verify_before
    assert verify_before[1]["recovered_by"] == "soft_binding"
    assert verify_before[1]["match"]["export"] == service["export"]
