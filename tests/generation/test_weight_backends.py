"""musicgen and stable_audio end to end, on tiny random models built here."""

import pytest

from generation.backends.musicgen import _load as load_musicgen
from generation.backends.stable_audio import _load as load_stable_audio
from generation.models import RequestStatus
from generation.services import generation_request_create, generation_run, take_edit, take_replay
from provenance.models import ContributionEvent
from tests.generation.tiny_models import build_musicgen, build_stable_audio

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def musicgen_dir(tmp_path_factory):
    return build_musicgen(tmp_path_factory.mktemp("musicgen"))


@pytest.fixture(scope="session")
def stable_audio_dir(tmp_path_factory):
    return build_stable_audio(tmp_path_factory.mktemp("stable-audio"))


@pytest.fixture(autouse=True)
def _weights(settings, musicgen_dir, stable_audio_dir):
    settings.GENERATION_MUSICGEN_DIR = str(musicgen_dir)
    settings.GENERATION_STABLE_AUDIO_DIR = str(stable_audio_dir)
    settings.GENERATION_STABLE_AUDIO_STEPS = 2
    yield
    load_musicgen.cache_clear()
    load_stable_audio.cache_clear()


def run(work, owner, backend, seed, duration_s, takes=2):
    request = generation_request_create(
        work=work,
        requested_by=owner.membership,
        prompt="a calm sea song",
        tags=["folk"],
        duration_s=duration_s,
        takes=takes,
        seed=seed,
        backend=backend,
        queue=False,
    )
    request = generation_run(request_id=request.id)
    assert request.status == RequestStatus.DONE, request.error
    return list(request.results.order_by("index"))


@pytest.mark.parametrize(("backend", "duration_s"), [("musicgen", 0.5), ("stable_audio", 1.5)])
def test_weight_backends_generate_reproducibly_from_the_request_seed(work, owner, backend, duration_s):
    first = run(work, owner, backend, seed=5, duration_s=duration_s)
    again = run(work, owner, backend, seed=5, duration_s=duration_s)
    other = run(work, owner, backend, seed=6, duration_s=duration_s)

    assert [t.sha256 for t in first] == [t.sha256 for t in again]
    assert first[0].sha256 != first[1].sha256  # takes of one request differ
    assert {t.sha256 for t in first}.isdisjoint({t.sha256 for t in other})
    assert first[0].duration_s == pytest.approx(duration_s, abs=0.3)
    generation = ContributionEvent.objects.filter(work=work, kind="generation").first().payload
    assert generation["environment"]["backend"] == backend


@pytest.mark.parametrize(("backend", "duration_s"), [("musicgen", 0.5), ("stable_audio", 1.5)])
def test_weight_backend_takes_replay_and_take_audio_edits(work, owner, backend, duration_s):
    take = run(work, owner, backend, seed=9, duration_s=duration_s)[1]

    assert take_replay(take=take).identical
    faded = take_edit(
        take=take, operation="fade", parameters={"in_s": 0.1, "out_s": 0.1}, edited_by=owner.membership
    )
    assert take_replay(take=faded).identical


def test_stable_audio_refuses_durations_beyond_the_model(work, owner):
    from config.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="at most 2 s"):
        generation_request_create(
            work=work, requested_by=owner.membership, prompt="x", duration_s=30, backend="stable_audio"
        )


def test_musicgen_sampling_does_not_touch_the_global_rng(work, owner):
    import torch

    run(work, owner, "musicgen", seed=1, duration_s=0.3, takes=1)  # loading may; sampling must not
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    run(work, owner, "musicgen", seed=1, duration_s=0.3, takes=1)

    assert torch.equal(torch.rand(3), expected)


def test_musicgen_extend_continues_the_take_and_replays(work, owner):
    take = run(work, owner, "musicgen", seed=3, duration_s=0.4, takes=1)[0]

    longer = take_edit(
        take=take, operation="extend", parameters={"seconds": 0.3, "seed": 2}, edited_by=owner.membership
    )

    assert longer.parent == take
    assert longer.duration_s == pytest.approx(take.duration_s + 0.3, abs=0.1)
    assert take_replay(take=longer).identical


def test_musicgen_refuses_plan_edits(work, owner):
    from generation.services import EditNotPossibleError

    take = run(work, owner, "musicgen", seed=3, duration_s=0.3, takes=1)[0]

    with pytest.raises(EditNotPossibleError, match="musicgen takes support extend"):
        take_edit(take=take, operation="tempo", parameters={"bpm": 100}, edited_by=owner.membership)
