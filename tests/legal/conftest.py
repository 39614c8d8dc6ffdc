"""Shared fixtures of the legal tests: a label (rights holder) with a catalogue of recordings
(no audio: rows made directly), a platform that licenses it, and their members; works built
through the real generation services for the authorship assessment."""

import uuid

import pytest

from accounts.roles import Role
from generation.models import Take
from generation.services import (
    generation_request_create,
    generation_run,
    take_edit,
    take_select,
    work_create,
    work_note_add,
)
from similarity.models import Catalogue, Recording, index_key_for
from tests.conftest import make_persona

ISRCS = ["GBAYE6900531", "GBAYE6900532", "USRC17607839"]


def recording(catalogue: Catalogue, isrc: str, title: str = "") -> Recording:
    recording_id = uuid.uuid4()
    return Recording.objects.create(
        id=recording_id,
        catalogue=catalogue,
        title=title or f"Song {isrc}",
        isrc=isrc,
        source_path=f"{isrc}.wav",
        duration_s=180.0,
        audio_sha256=recording_id.hex * 2,
        index_key=index_key_for(recording_id),
        fingerprint=b"",
    )


@pytest.fixture
def label_auditor(label):
    return make_persona(organisation=label, role=Role.AUDITOR, username="otto")


@pytest.fixture
def platform_owner(platform):
    return make_persona(organisation=platform, role=Role.OWNER, username="pia")


@pytest.fixture
def masters(label):
    return Catalogue.objects.create(organisation=label, name="Masters")


@pytest.fixture
def recordings(masters):
    return [recording(masters, isrc) for isrc in ISRCS]


LYRICS = "Harbour lights, <b>hold</b> me & the tide"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def generate(work, persona, *, takes: int, lyrics: str = "", prompt: str = "a slow song about the sea"):
    request = generation_request_create(
        work=work,
        requested_by=persona.membership,
        prompt=prompt,
        lyrics=lyrics,
        tags=["folk", "calm"],
        duration_s=4,
        takes=takes,
        seed=11,
        queue=False,
    )
    generation_run(request_id=request.id)
    return list(Take.objects.filter(request=request).order_by("index"))


@pytest.fixture
def crafted_work(owner, teammate):
    """A work built through the real services: three takes, one chosen, two edits, lyrics
    supplied and then replaced, and a note of human work."""
    work = work_create(organisation=owner.organisation, title="Harbour <Lights>", created_by=owner.membership)
    work_note_add(work=work, text="Wrote the <chorus> lyrics by hand.", author=teammate.membership)
    takes = generate(work, teammate, takes=3, lyrics=LYRICS)
    take_select(take=takes[1], selected_by=teammate.membership)
    faded = take_edit(
        take=takes[1], operation="fade", parameters={"in_s": 0.5, "out_s": 1.0}, edited_by=teammate.membership
    )
    louder = take_edit(take=faded, operation="gain", parameters={"db": -3.0}, edited_by=teammate.membership)
    words = {"lyrics": "Second verse, my own"}
    take_edit(take=louder, operation="lyrics", parameters=words, edited_by=owner.membership)
    return work


@pytest.fixture
def bare_work(owner):
    """One generation of one take, used as it came."""
    work = work_create(organisation=owner.organisation, title="As Generated", created_by=owner.membership)
    generate(work, owner, takes=1)
    return work
