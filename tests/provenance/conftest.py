import pytest

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
