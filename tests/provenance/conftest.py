import pytest

from generation.models import Export, Take
from generation.services import work_create, work_note_add
from provenance.services import log_integrate


def integrate() -> None:
    """What the on-commit task does after a real commit (tests run in a transaction that
    never commits, so its hooks never fire)."""
    while log_integrate() is not None:
        pass


@pytest.fixture
def work(owner, teammate):
    """A work with three events in the log: created by the owner, then two notes by a teammate."""
    work = work_create(organisation=owner.organisation, title="Midnight Harbour", created_by=owner.membership)
    work_note_add(work=work, text="Wrote the chorus by hand.", author=teammate.membership)
    integrate()
    work_note_add(work=work, text="Picked the tempo on a metronome: 92.", author=teammate.membership)
    integrate()
    return work


PROMPT = "a slow song about the sea"


@pytest.fixture
def song(owner):
    return work_create(organisation=owner.organisation, title="Harbour Lights", created_by=owner.membership)


@pytest.fixture
def take(owner, song, django_capture_on_commit_callbacks) -> Take:
    """An 8-s take of `song`, generated through the API (the task runs on commit)."""
    body = {"prompt": PROMPT, "tags": ["folk"], "takes": 1, "duration_s": 8, "seed": 5}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client.post(f"/api/works/{song.id}/generations/", body, format="json")
    assert response.status_code == 202, response.content
    return Take.objects.get(pk=owner.client.get(response["Location"]).json()["results"][0]["id"])


def export_of(persona, take, fmt="flac") -> tuple[Export, bytes]:
    response = persona.client.post(f"/api/takes/{take.id}/exports/", {"format": fmt}, format="json")
    assert response.status_code == 201, response.content
    saved = Export.objects.get(pk=response.json()["id"])
    with saved.file.open("rb") as handle:
        return saved, handle.read()
