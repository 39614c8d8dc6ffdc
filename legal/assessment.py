"""Authorship assessment: the recorded evidence of human contribution to a work, grouped by
the factors that courts and copyright offices weigh (design.md §6).

A plain module (no Django): it reads a work's contribution events, as ContributionEvent rows
or as the exported dicts of an evidence bundle, and never decides anything. Whether a work is
protected, and who its author is, is for a court or an office on the facts of the case; this
only says which recorded events bear on each factor.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from legal.authorities import AUTHORITIES, FACTORS

ASSESSMENT_FORMAT = "songproof-authorship-assessment/1"
DISCLAIMER = (
    "This is a structured summary of recorded evidence, not legal advice, and not a "
    "determination of authorship or copyright."
)
SCOPE = (
    "It lists only what SongProof recorded for this work, as signed contribution events. Human "
    "work done outside SongProof appears only where a member recorded it (a note); whether a "
    "factor is met, and how much it weighs, depends on the law that applies and the facts of "
    "the case."
)


# Kinds that record material a person supplied or work a person did outside the generator.
# `upload` is not recorded by SongProof yet: it is counted when a later version records it.
EXPRESSIVE_KINDS = frozenset({"note", "upload"})
MAX_TEXT = 120


@dataclass(frozen=True)
class Evidence:
    seq: int
    kind: str
    event_hash: str
    description: str
    actor: str | None = None


@dataclass(frozen=True)
class Weighing:
    authority: str
    citation: str
    explanation: str


@dataclass(frozen=True)
class Factor:
    key: str
    title: str
    contribution: str  # "human" or "ai"
    count: int
    evidence: list[Evidence]
    weighed_by: list[Weighing]


@dataclass(frozen=True)
class Caution:
    code: str
    text: str


@dataclass(frozen=True)
class Assessment:
    format: str
    disclaimer: str
    scope: str
    work: dict[str, Any]
    events_considered: int
    factors: list[Factor]
    cautions: list[Caution] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def factor(self, key: str) -> Factor:
        return next(f for f in self.factors if f.key == key)


@dataclass(frozen=True)
class _Event:
    seq: int
    kind: str
    event_hash: str
    payload: Mapping[str, Any]
    actor: str | None


def _event(source: Any) -> _Event:
    """A ContributionEvent row or an exported event dict, read the same way."""
    if isinstance(source, Mapping):
        get = source.get
        actor = get("actor") or {}
    else:

        def get(name, default=None):
            return getattr(source, name, default)

        actor = source.actor
    return _Event(get("seq"), get("kind"), get("event_hash"), get("payload") or {}, actor.get("user"))


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _short(take_id: Any) -> str:
    return f"take {str(take_id)[:8]}"


def _evidence(event: _Event, description: str) -> Evidence:
    return Evidence(event.seq, event.kind, event.event_hash, description, event.actor)


def _prompt_design(events: list[_Event]) -> list[Evidence]:
    return [
        _evidence(e, f"prompt: “{_clip(e.payload['prompt'])}”")
        for e in events
        if e.kind == "prompt" and (e.payload.get("prompt") or "").strip()
    ]


def _parameter_choices(events: list[_Event]) -> list[Evidence]:
    found = []
    for e in (e for e in events if e.kind == "parameters"):
        p = e.payload
        tags = ", ".join(map(str, p.get("tags") or [])) or "no tags"
        found.append(
            _evidence(
                e, _clip(f"{tags}; {p.get('duration_s')} s; {p.get('takes')} take(s); seed {p.get('seed')}")
            )
        )
    return found


def _selection(events: list[_Event]) -> list[Evidence]:
    found = []
    for e in (e for e in events if e.kind == "selection"):
        others = e.payload.get("alternatives") or []
        if others:
            found.append(
                _evidence(e, f"chose {_short(e.payload.get('chosen'))} over {len(others)} alternative(s)")
            )
    return found


def _iterative_modification(events: list[_Event]) -> list[Evidence]:
    found = []
    for e in (e for e in events if e.kind == "edit" and e.payload.get("operation") != "lyrics"):
        p = e.payload
        details = ", ".join(f"{k} {v}" for k, v in (p.get("parameters") or {}).items())
        found.append(
            _evidence(
                e,
                _clip(f"{p.get('operation')} ({details}) of {_short(p.get('source'))}")
                + f" made {_short(p.get('result'))}",
            )
        )
    return found


def _human_lyrics(events: list[_Event]) -> list[Evidence]:
    found = []
    for e in events:
        if e.kind == "prompt" and (e.payload.get("lyrics") or "").strip():
            found.append(_evidence(e, f"lyrics supplied with the request: “{_clip(e.payload['lyrics'])}”"))
        elif e.kind == "edit" and e.payload.get("operation") == "lyrics":
            lyrics = (e.payload.get("parameters") or {}).get("lyrics") or ""
            found.append(
                _evidence(e, f"lyrics replaced on {_short(e.payload.get('source'))}: “{_clip(lyrics)}”")
            )
    return found


def _expressive_inputs(events: list[_Event]) -> list[Evidence]:
    return [
        _evidence(e, _clip(e.payload.get("text") or e.payload.get("name") or e.kind))
        for e in events
        if e.kind in EXPRESSIVE_KINDS
    ]


def _ai_generation(events: list[_Event]) -> list[Evidence]:
    found = []
    for e in (e for e in events if e.kind == "generation"):
        takes = e.payload.get("takes") or []
        backend = (e.payload.get("environment") or {}).get("backend", "")
        found.append(
            _evidence(
                e, _clip(f"{len(takes)} take(s) generated {('by ' + backend) if backend else ''}".strip())
            )
        )
    return found


_COLLECT = {
    "prompt_design": _prompt_design,
    "parameter_choices": _parameter_choices,
    "selection": _selection,
    "iterative_modification": _iterative_modification,
    "human_lyrics": _human_lyrics,
    "expressive_inputs": _expressive_inputs,
    "ai_generation": _ai_generation,
}


def _cautions(counts: dict[str, int]) -> list[Caution]:
    cautions = []
    shaping = counts["selection"] + counts["iterative_modification"]
    human_material = counts["human_lyrics"] + counts["expressive_inputs"]
    if counts["ai_generation"] and not shaping:
        cautions.append(
            Caution(
                "no_selection_or_edit",
                "The record shows generation with no selection among alternatives and no edit of "
                "the output: the audio as recorded was shaped by the generator alone.",
            )
        )
    if counts["prompt_design"] and not (shaping or human_material):
        cautions.append(
            Caution(
                "prompts_only",
                "The human contribution recorded is limited to prompts and parameters, which the US "
                "Copyright Office treats as generally insufficient on their own.",
            )
        )
    if counts["ai_generation"] == 1 and not shaping:
        cautions.append(Caution("single_generation", "One generation request, used as generated."))
    if not any(counts[key] for key in counts if key != "ai_generation"):
        cautions.append(Caution("no_human_contribution", "No human contribution is recorded for this work."))
    return cautions


def assess(events: Iterable[Any], *, work: Mapping[str, Any] | None = None) -> Assessment:
    """The assessment of a work from its events, in their recorded order."""
    read = sorted((_event(e) for e in events), key=lambda e: e.seq)
    factors = []
    for key, title, contribution, weighs in FACTORS:
        found = _COLLECT[key](read)
        weighed_by = [Weighing(name, AUTHORITIES[name], text) for name, text in weighs]
        factors.append(Factor(key, title, contribution, len(found), found, weighed_by))
    counts = {f.key: f.count for f in factors}
    return Assessment(
        format=ASSESSMENT_FORMAT,
        disclaimer=DISCLAIMER,
        scope=SCOPE,
        work=dict(work or {}),
        events_considered=len(read),
        factors=factors,
        cautions=_cautions(counts),
    )


def assessment_line(assessment: Assessment) -> str:
    """One line: every factor with its count (the demo prints it)."""
    return ", ".join(f"{f.key} {f.count}" for f in assessment.factors)


def assessment_html(assessment: Assessment) -> str:
    """An HTML fragment (a <section>); every recorded text is escaped."""
    e = html.escape
    parts = [
        '<section class="assessment">',
        "<h2>Authorship assessment</h2>",
        f'<p class="disclaimer"><strong>{e(assessment.disclaimer)}</strong></p>',
        f"<p>{e(assessment.scope)}</p>",
    ]
    if assessment.cautions:
        items = "".join(f"<li>{e(c.text)}</li>" for c in assessment.cautions)
        parts.append(f'<ul class="cautions">{items}</ul>')
    for factor in assessment.factors:
        parts.append(_factor_html(factor))
    parts.append("</section>")
    return "\n".join(parts)


def _factor_html(factor: Factor) -> str:
    e = html.escape
    label = "AI contribution" if factor.contribution == "ai" else "human contribution"
    rows = "".join(
        f"<tr><td>{ev.seq}</td><td>{e(ev.kind)}</td><td>{e(ev.actor or 'SongProof')}</td>"
        f"<td>{e(ev.description)}<br><code>{e(ev.event_hash or '')}</code></td></tr>"
        for ev in factor.evidence
    )
    table = (
        "<table><thead><tr><th>#</th><th>Event</th><th>Who</th><th>Evidence</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if rows
        else '<p class="muted">No recorded event.</p>'
    )
    weighed = "".join(f"<li><em>{e(w.citation)}</em>: {e(w.explanation)}</li>" for w in factor.weighed_by)
    return (
        f'<div class="factor" id="factor-{e(factor.key)}">'
        f'<h3>{e(factor.title)} <span class="muted">({label}; {factor.count} event(s))</span></h3>'
        f'{table}<ul class="authorities">{weighed}</ul></div>'
    )
