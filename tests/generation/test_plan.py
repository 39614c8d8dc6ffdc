import pytest

from generation.plan import (
    STEPS_PER_BAR,
    PlanError,
    extend,
    make_plan,
    parse_tags,
    regenerate_bars,
    sub_seed,
    with_tempo,
)


def plan(*tags, seed=1, take=0, duration_s=30):
    return make_plan(parse_tags(list(tags)), master_seed=seed, take=take, duration_s=duration_s)


def test_same_tags_and_seed_give_the_same_plan():
    assert plan("pop", "sad").as_dict() == plan("pop", "sad").as_dict()


def test_seed_take_and_tags_each_change_the_plan():
    base = plan("pop").as_dict()

    assert plan("pop", seed=2).as_dict() != base
    assert plan("pop", take=1).as_dict() != base
    assert plan("rock").as_dict() != base


def test_tags_set_tempo_key_and_scale():
    p = plan("jazz", "bpm:96", "key:d-minor")

    assert (p.bpm, p.tonic, p.scale) == (96.0, 2, "minor")
    assert p.genre == "jazz"


@pytest.mark.parametrize("tag", ["polka", "bpm:500", "key:h", "bpm:fast"])
def test_unknown_tags_are_refused_by_name(tag):
    with pytest.raises(PlanError, match="unknown tag"):
        parse_tags(["pop", tag])


def test_duration_sets_the_number_of_bars_and_a_full_form():
    p = plan("pop", "bpm:120", duration_s=32)

    assert p.bars == 16
    assert p.sections[0]["name"] == "intro" and p.sections[-1]["name"] == "outro"
    assert sum(s["bars"] for s in p.sections) == 16
    assert all(0 <= note[0] < p.bars * STEPS_PER_BAR for note in p.melody + p.bass)


def test_component_seeds_are_independent():
    assert sub_seed(7, 0, "melody") != sub_seed(7, 0, "drums") != sub_seed(7, 1, "drums")


def test_regenerating_bars_redraws_only_those_bars():
    p = plan("pop", "bpm:120", duration_s=32)

    changed = regenerate_bars(p, 4, 8, seed=99)

    def bars(notes, first, last):
        return [n for n in notes if first <= n[0] // STEPS_PER_BAR < last]

    assert bars(changed.melody, 0, 4) == bars(p.melody, 0, 4)
    assert bars(changed.melody, 8, 16) == bars(p.melody, 8, 16)
    assert bars(changed.melody, 4, 8) != bars(p.melody, 4, 8)
    assert changed.chords == p.chords


@pytest.mark.parametrize(("first", "last"), [(-1, 2), (3, 3), (10, 40)])
def test_a_section_outside_the_take_is_refused(first, last):
    with pytest.raises(PlanError, match="outside"):
        regenerate_bars(plan("pop", duration_s=20), first, last, seed=1)


def test_extend_adds_bars_and_keeps_the_start():
    p = plan("rock", duration_s=20)

    longer = extend(p, 4, seed=3)

    assert longer.bars == p.bars + 4
    assert [n for n in longer.melody if n[0] < p.bars * STEPS_PER_BAR] == p.melody


def test_tempo_change_keeps_the_notes():
    p = plan("folk")

    faster = with_tempo(p, 150)

    assert faster.bpm == 150 and faster.melody == p.melody
    assert faster.duration_s() < p.duration_s()
    with pytest.raises(PlanError):
        with_tempo(p, 1000)
