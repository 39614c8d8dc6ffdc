"""Fixtures of the rights-holder and compliance pages: a label (rights holder) whose catalogue
is ingested through the upload service, a studio whose take copies one of its recordings, and
a rival rights holder who must see none of it. Audio is synthesised, small and short."""

from __future__ import annotations

import io
import zipfile

import pytest

from generation.models import Take
from generation.services import generation_request_create, generation_run, work_create
from similarity.ingestion import ingestion_from_upload, ingestion_run
from similarity.services import catalogue_get_or_create
from tests.similarity.conftest import track
from tests.web.conftest import logged_in


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def song() -> bytes:
    return track(("rock",), seed=7, seconds=12.0)


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def label_web(label_owner):
    return logged_in(label_owner)


@pytest.fixture
def rival_web(rival):
    return logged_in(rival)


@pytest.fixture
def masters(label):
    return catalogue_get_or_create(organisation=label, name="Harbour Masters")


@pytest.fixture
def ingested(masters, song):
    """The catalogue's one recording, uploaded (so its audio is kept under media/) and ingested;
    a second file that is not audio fails."""
    files = {
        "harbour.wav": song,
        "broken.wav": b"not audio at all",
        "manifest.csv": b"path,title\nharbour.wav,Harbour Lights\n",
    }
    upload = ingestion_from_upload(
        catalogue=masters, name="first batch.zip", files={"batch.zip": zipped(files)}
    )
    return ingestion_run(ingestion_id=upload.id)


def generate(persona, work, seed: int, seconds: float = 12.0) -> Take:
    request = generation_request_create(
        work=work,
        requested_by=persona.membership,
        tags=["rock"],
        duration_s=seconds,
        takes=1,
        seed=seed,
        queue=False,
    )
    return generation_run(request_id=request.id).results.get()


@pytest.fixture
def copied_take(owner, masters):
    """A studio's take whose audio the label's catalogue holds: its check matches the label."""
    work = work_create(
        organisation=owner.organisation, title="Secret Studio Song", created_by=owner.membership
    )
    original = generate(owner, work, seed=5)
    data = original.audio.open("rb").read()
    ingestion_run(
        ingestion_id=ingestion_from_upload(catalogue=masters, name="m", files={"master.wav": data}).id
    )
    return generate(owner, work, seed=5)


@pytest.fixture
def owner_web(owner):
    """The studio's owner (a creator studio: compliance pages, no catalogues)."""
    return logged_in(owner)
