import pytest

from generation.models import Take
from generation.services import (
    generation_request_create,
    generation_run,
    take_edit,
    take_select,
    work_create,
    work_note_add,
)

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
