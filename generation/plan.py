"""The builtin generator's symbolic plan: form, chords, melody, bass and drums.

A plan is drawn from tables conditioned on the prompt's tags, with one sub-seed per
component derived from the master seed, so a section or a part can be drawn again while
the rest is kept. Plans are plain JSON (stored with each take) and drawn with Python's own
`random.Random`, which gives the same numbers on every platform.

No Django, no torch: `generation.synth` renders a plan to audio.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass, field, replace
from typing import Any

STEPS_PER_BAR = 16  # sixteenth notes in 4/4
NOTE_NAMES = ["c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b"]
SCALES = {
    "major": [0, 2, 4, 5, 7, 9, 11],
    "minor": [0, 2, 3, 5, 7, 8, 10],
    "dorian": [0, 2, 3, 5, 7, 9, 10],
    "phrygian": [0, 1, 3, 5, 7, 8, 10],
}


@dataclass(frozen=True)
class Style:
    bpm: tuple[int, int]
    scale: str
    progressions: tuple[tuple[int, ...], ...]  # scale degrees (0-based), one chord per bar
    kick: tuple[int, ...]  # steps of a bar
    snare: tuple[int, ...]
    hat: tuple[int, ...]
    bass_steps: tuple[int, ...]
    rhythms: tuple[tuple[int, ...], ...]  # melody note lengths in sixteenths, summing to 16
    lead: str  # oscillator of the melody
    pad: str
    swing: float = 0.0
    sevenths: bool = False
    drive: float = 0.0  # distortion of the lead


GENRES: dict[str, Style] = {
    "pop": Style(
        (100, 124),
        "major",
        ((0, 4, 5, 3), (5, 3, 0, 4), (0, 5, 3, 4)),
        (0, 8, 10),
        (4, 12),
        (0, 2, 4, 6, 8, 10, 12, 14),
        (0, 6, 8, 14),
        ((4, 4, 4, 4), (2, 2, 4, 8), (6, 2, 4, 4), (4, 2, 2, 8)),
        "square",
        "saw",
    ),
    "rock": Style(
        (112, 144),
        "major",
        ((0, 3, 4, 3), (0, 6, 3, 0), (5, 3, 0, 4)),
        (0, 6, 8),
        (4, 12),
        (0, 2, 4, 6, 8, 10, 12, 14),
        (0, 2, 4, 6, 8, 10, 12, 14),
        ((4, 4, 8), (2, 2, 2, 2, 8), (8, 4, 4)),
        "saw",
        "saw",
        drive=2.5,
    ),
    "electronic": Style(
        (120, 132),
        "minor",
        ((5, 3, 0, 4), (0, 5, 2, 6), (0, 0, 5, 4)),
        (0, 4, 8, 12),
        (4, 12),
        (2, 6, 10, 14),
        (0, 2, 4, 6, 8, 10, 12, 14),
        ((2, 2, 2, 2, 2, 2, 4), (4, 2, 2, 4, 4), (3, 3, 2, 3, 3, 2)),
        "square",
        "saw",
    ),
    "jazz": Style(
        (88, 132),
        "major",
        ((1, 4, 0, 5), (0, 5, 1, 4), (2, 5, 1, 4)),
        (0, 10),
        (),
        (0, 6, 8, 14),
        (0, 4, 8, 12),
        ((6, 2, 6, 2), (3, 3, 2, 8), (4, 2, 2, 4, 4)),
        "triangle",
        "triangle",
        swing=0.33,
        sevenths=True,
    ),
    "ambient": Style(
        (60, 80),
        "major",
        ((0, 5, 3, 4), (0, 3, 0, 4), (5, 3, 0, 0)),
        (),
        (),
        (),
        (0,),
        ((16,), (8, 8), (12, 4)),
        "sine",
        "triangle",
        sevenths=True,
    ),
    "hiphop": Style(
        (80, 96),
        "minor",
        ((0, 5, 3, 4), (0, 3, 5, 4), (0, 0, 5, 6)),
        (0, 7, 10),
        (4, 12),
        (0, 2, 4, 6, 8, 10, 12, 14, 15),
        (0, 7, 10),
        ((4, 4, 2, 6), (2, 2, 4, 8), (6, 2, 8)),
        "sine",
        "triangle",
        swing=0.15,
    ),
    "folk": Style(
        (90, 118),
        "major",
        ((0, 3, 0, 4), (0, 4, 5, 3), (0, 3, 4, 0)),
        (0, 8),
        (4, 12),
        (),
        (0, 8),
        ((4, 4, 4, 4), (6, 2, 8), (4, 2, 2, 4, 4)),
        "triangle",
        "triangle",
    ),
}
MOODS = {
    "happy": {"scale": "major", "bpm": 1.05, "energy": 1.0},
    "sad": {"scale": "minor", "bpm": 0.85, "energy": 0.7},
    "dark": {"scale": "phrygian", "bpm": 0.95, "energy": 0.9},
    "calm": {"scale": None, "bpm": 0.85, "energy": 0.6},
    "energetic": {"scale": None, "bpm": 1.12, "energy": 1.25},
}
TEMPOS = {"slow": 0.8, "medium": 1.0, "fast": 1.2}
MIN_BPM, MAX_BPM = 40, 220
COMPONENTS = ("form", "chords", "melody", "bass", "drums")


class PlanError(ValueError):
    pass


def known_tags() -> list[str]:
    return [*GENRES, *MOODS, *TEMPOS, "bpm:<40-220>", "key:<note>[-major|-minor]"]


def sub_seed(master_seed: int, *parts: object) -> int:
    """A component's seed, derived so that changing one component's seed moves no other."""
    digest = hashlib.sha256(":".join(map(str, (master_seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True)
class Conditioning:
    genre: str = "pop"
    mood: str | None = None
    tempo: str | None = None
    bpm: int | None = None
    tonic: int | None = None  # 0 = C
    scale: str | None = None


def parse_tags(tags: list[str]) -> Conditioning:
    """Tags to conditioning; PlanError names the first tag it does not know."""
    values: dict[str, Any] = {}
    for raw in tags:
        tag = raw.strip().lower()
        if tag in GENRES:
            values["genre"] = tag
        elif tag in MOODS:
            values["mood"] = tag
        elif tag in TEMPOS:
            values["tempo"] = tag
        elif tag.startswith("bpm:") and tag[4:].isdigit() and MIN_BPM <= int(tag[4:]) <= MAX_BPM:
            values["bpm"] = int(tag[4:])
        elif tag.startswith("key:") and _key(tag[4:]) is not None:
            values["tonic"], values["scale"] = _key(tag[4:])
        else:
            raise PlanError(f"unknown tag {raw!r}")
    return Conditioning(**values)


def _key(text: str) -> tuple[int, str | None] | None:
    name, _, mode = text.partition("-")
    if name not in NOTE_NAMES or mode not in ("", "major", "minor"):
        return None
    return NOTE_NAMES.index(name), mode or None


@dataclass
class Plan:
    """Everything the renderer needs; JSON-serialisable (asdict / from_dict)."""

    genre: str
    bpm: float
    tonic: int
    scale: str
    energy: float
    bars: int
    sections: list[dict[str, Any]]  # {"name", "start", "bars"}
    chords: list[list[int]]  # MIDI notes per bar
    melody: list[list[float]]  # [start_step, length_steps, midi, velocity], steps from the start
    bass: list[list[float]]
    drums: list[list[float]]  # [step, instrument (0 kick, 1 snare, 2 hat), velocity]
    seeds: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(**data)

    def seconds_per_step(self) -> float:
        return 60.0 / self.bpm / 4

    def duration_s(self) -> float:
        return self.bars * STEPS_PER_BAR * self.seconds_per_step()


def make_plan(conditioning: Conditioning, *, master_seed: int, take: int, duration_s: float) -> Plan:
    style = GENRES[conditioning.genre]
    mood = MOODS.get(conditioning.mood or "", {"scale": None, "bpm": 1.0, "energy": 1.0})
    seeds = {component: sub_seed(master_seed, take, component) for component in COMPONENTS}
    form_rng = random.Random(seeds["form"])
    bpm = conditioning.bpm or round(
        form_rng.uniform(*style.bpm) * mood["bpm"] * TEMPOS.get(conditioning.tempo or "", 1.0)
    )
    bpm = min(MAX_BPM, max(MIN_BPM, bpm))
    bars = max(2, round(duration_s * bpm / 240))
    plan = Plan(
        genre=conditioning.genre,
        bpm=float(bpm),
        tonic=conditioning.tonic if conditioning.tonic is not None else form_rng.randrange(12),
        scale=conditioning.scale or mood["scale"] or style.scale,
        energy=mood["energy"],
        bars=bars,
        sections=_form(bars),
        chords=[],
        melody=[],
        bass=[],
        drums=[],
        seeds=seeds,
    )
    return _fill(plan, 0, bars, seeds)


def _form(bars: int) -> list[dict[str, Any]]:
    """Intro, verses and choruses (a bridge in long pieces), an outro: the shape listeners
    expect, fitted to any number of bars."""
    intro = 0 if bars < 6 else 2 if bars < 16 else 4
    outro = 0 if bars < 8 else 2
    middle = bars - intro - outro
    if middle < 16:
        parts = [("verse", middle // 2), ("chorus", middle - middle // 2)]
    else:
        cycle = [("verse", 8), ("chorus", 8), ("verse", 8), ("chorus", 8), ("bridge", 4), ("chorus", 8)]
        parts, left, index = [], middle, 0
        while left > 0:
            name, length = (
                cycle[index % len(cycle)] if index < len(cycle) else ("chorus" if index % 2 else "verse", 8)
            )
            length = left if left - length < 4 else length  # no stub shorter than 4 bars
            parts.append((name, length))
            left, index = left - length, index + 1
    sections, start = [], 0
    for name, length in [("intro", intro), *parts, ("outro", outro)]:
        if length > 0:
            sections.append({"name": name, "start": start, "bars": length})
            start += length
    return sections


def _section_at(plan: Plan, bar: int) -> str:
    return next(s["name"] for s in plan.sections if s["start"] <= bar < s["start"] + s["bars"])


def _fill(plan: Plan, first_bar: int, last_bar: int, seeds: dict[str, int]) -> Plan:
    """(Re)draw bars [first_bar, last_bar) of every part from `seeds`, keeping the others."""
    style = GENRES[plan.genre]
    chord_rng = random.Random(seeds["chords"])
    progression = style.progressions[chord_rng.randrange(len(style.progressions))]
    chords = [_chord(plan, progression[bar % len(progression)], style.sevenths) for bar in range(plan.bars)]
    plan.chords = chords
    melody = _melody(plan, style, random.Random(seeds["melody"]), first_bar, last_bar)
    bass = _bass(plan, style, random.Random(seeds["bass"]), first_bar, last_bar)
    drums = _drums(plan, style, random.Random(seeds["drums"]), first_bar, last_bar)
    plan.melody = sorted(_outside(plan.melody, first_bar, last_bar) + melody)
    plan.bass = sorted(_outside(plan.bass, first_bar, last_bar) + bass)
    plan.drums = sorted(_outside(plan.drums, first_bar, last_bar) + drums)
    return plan


def _outside(notes: list[list[float]], first_bar: int, last_bar: int) -> list[list[float]]:
    """The notes that start outside bars [first_bar, last_bar): those a partial redraw keeps."""
    return [note for note in notes if not first_bar <= note[0] // STEPS_PER_BAR < last_bar]


def _scale_note(plan: Plan, degree: int, octave: int) -> int:
    steps = SCALES[plan.scale]
    return 12 * (octave + degree // len(steps)) + plan.tonic + steps[degree % len(steps)]


def _chord(plan: Plan, degree: int, sevenths: bool) -> list[int]:
    tones = [0, 2, 4, 6] if sevenths else [0, 2, 4]
    return [_scale_note(plan, degree + tone, 4) for tone in tones]


def _melody(plan: Plan, style: Style, rng: random.Random, first: int, last: int) -> list[list[float]]:
    """Two-bar motifs, repeated with variation, higher and denser in choruses."""
    notes: list[list[float]] = []
    motif: list[tuple[int, int]] = []
    for bar in range(first, last):
        section = _section_at(plan, bar)
        if section in ("intro", "outro") and plan.genre != "ambient":
            continue
        if bar % 2 == 0 or not motif:
            motif = _motif(plan, style, rng, bar)
        lift = 2 if section == "chorus" else 0
        step = bar * STEPS_PER_BAR
        for length, degree in motif:
            vary = rng.random() < 0.2
            pitch = _scale_note(plan, degree + lift + (rng.choice((-1, 1)) if vary else 0), 5)
            if rng.random() > 0.12:  # a few rests keep the line breathing
                velocity = (0.75 if section == "chorus" else 0.6) * plan.energy * rng.uniform(0.85, 1.0)
                notes.append([step, length * 0.92, pitch, min(1.0, velocity)])
            step += length
    return notes


def _motif(plan: Plan, style: Style, rng: random.Random, bar: int) -> list[tuple[int, int]]:
    rhythm = style.rhythms[rng.randrange(len(style.rhythms))]
    chord_root = (plan.chords[bar][0] - plan.tonic) % 12
    degree = min(range(7), key=lambda d: abs(SCALES[plan.scale][d] - chord_root))
    motif = []
    for position, length in enumerate(rhythm):
        if position:
            degree += rng.choice((-2, -1, -1, 1, 1, 2, 0))
        degree = max(-3, min(9, degree))
        motif.append((length, degree))
    return motif


def _bass(plan: Plan, style: Style, rng: random.Random, first: int, last: int) -> list[list[float]]:
    notes = []
    for bar in range(first, last):
        root = plan.chords[bar][0] - 24
        steps = style.bass_steps
        for index, step in enumerate(steps):
            length = (steps[index + 1] if index + 1 < len(steps) else STEPS_PER_BAR) - step
            pitch = (
                root + (7 if plan.genre == "jazz" and index % 2 else 0) + (12 if rng.random() < 0.1 else 0)
            )
            notes.append([bar * STEPS_PER_BAR + step, length * 0.9, pitch, 0.8 * plan.energy])
    return notes


def _drums(plan: Plan, style: Style, rng: random.Random, first: int, last: int) -> list[list[float]]:
    hits = []
    for bar in range(first, last):
        section = _section_at(plan, bar)
        if section == "intro" and bar < 2:
            continue
        base = bar * STEPS_PER_BAR
        for instrument, steps, loudness in (
            (0, style.kick, 1.0),
            (1, style.snare, 0.8),
            (2, style.hat, 0.35),
        ):
            for step in steps:
                hits.append([base + step, instrument, loudness * plan.energy * rng.uniform(0.85, 1.0)])
        if section == "chorus" and bar % 4 == 3 and style.snare:  # a fill into the next phrase
            hits.extend([base + step, 1, 0.6 * plan.energy] for step in (13, 14, 15))
    return hits


def regenerate_bars(plan: Plan, first_bar: int, last_bar: int, *, seed: int) -> Plan:
    """Bars [first_bar, last_bar) of melody, bass and drums drawn again with a new seed."""
    if not 0 <= first_bar < last_bar <= plan.bars:
        raise PlanError(f"bars {first_bar}..{last_bar} are outside the take's {plan.bars} bars")
    redrawn = replace(plan, melody=list(plan.melody), bass=list(plan.bass), drums=list(plan.drums))
    seeds = dict(plan.seeds) | {c: sub_seed(seed, c) for c in ("melody", "bass", "drums")}
    return _fill(redrawn, first_bar, last_bar, seeds)


def extend(plan: Plan, bars: int, *, seed: int) -> Plan:
    """More bars at the end, continuing the progression, drawn from a new seed."""
    if bars < 1:
        raise PlanError("extend needs at least one bar")
    longer = replace(plan, bars=plan.bars + bars, melody=list(plan.melody), bass=list(plan.bass))
    longer.drums = list(plan.drums)
    longer.sections = [*plan.sections, {"name": "verse", "start": plan.bars, "bars": bars}]
    seeds = dict(plan.seeds) | {c: sub_seed(seed, c) for c in ("melody", "bass", "drums")}
    return _fill(longer, plan.bars, longer.bars, seeds)


def with_tempo(plan: Plan, bpm: float) -> Plan:
    if not MIN_BPM <= bpm <= MAX_BPM:
        raise PlanError(f"tempo {bpm} is outside {MIN_BPM}..{MAX_BPM} bpm")
    return replace(plan, bpm=float(bpm))
