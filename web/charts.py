"""Charts drawn on the server as inline SVG: no script, no chart library, no CDN.

Plain functions with no Django import; the markup is escaped here and the templates mark it
safe. Every chart carries a <title> and <desc> so a screen reader announces what it shows,
and the pages put the same numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, MARGIN = 480, 300, 48


@dataclass(frozen=True)
class Segment:
    """A matched stretch: query time on x, reference time on y, both in seconds."""

    query_start_s: float
    reference_start_s: float
    duration_s: float
    label: str = ""


def _scale(value: float, top: float, length: float) -> float:
    return round(value / top * length, 1) if top > 0 else 0.0


def _ticks(top: float, count: int = 4) -> list[float]:
    return [round(top * i / count, 1) for i in range(count + 1)]


def alignment_svg(segments: list[Segment], *, title: str) -> str:
    """Query time against reference time, a line per matched stretch: a copied excerpt is a
    45° line starting where it starts in each recording."""
    top_x = max((s.query_start_s + s.duration_s for s in segments), default=1.0) or 1.0
    top_y = max((s.reference_start_s + s.duration_s for s in segments), default=1.0) or 1.0
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def point(q: float, r: float) -> tuple[float, float]:
        return MARGIN + _scale(q, top_x, plot_w), HEIGHT - MARGIN - _scale(r, top_y, plot_h)

    parts = [_axes(plot_w, plot_h, top_x, top_y)]
    for s in segments:
        (x1, y1), (x2, y2) = (
            point(s.query_start_s, s.reference_start_s),
            point(s.query_start_s + s.duration_s, s.reference_start_s + s.duration_s),
        )
        parts.append(
            f'<line class="segment" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="currentColor" '
            f'stroke-width="4" stroke-linecap="round"><title>{escape(s.label)}</title></line>'
        )
    desc = "; ".join(
        f"query {s.query_start_s:.1f}-{s.query_start_s + s.duration_s:.1f} s matches reference "
        f"{s.reference_start_s:.1f}-{s.reference_start_s + s.duration_s:.1f} s"
        for s in segments
    )
    return _svg(title, desc or "no matched stretch", "".join(parts), "alignment")


def _axes(plot_w: float, plot_h: float, top_x: float, top_y: float) -> str:
    base_y = HEIGHT - MARGIN
    parts = [
        f'<line x1="{MARGIN}" y1="{base_y}" x2="{MARGIN + plot_w}" y2="{base_y}" stroke="#55606e"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{base_y}" stroke="#55606e"/>',
        f'<text x="{MARGIN + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">query time (s)</text>',
        f'<text x="14" y="{MARGIN + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {MARGIN + plot_h / 2})">reference time (s)</text>',
    ]
    for tick in _ticks(top_x):
        x = MARGIN + _scale(tick, top_x, plot_w)
        parts.append(f'<text x="{x}" y="{base_y + 16}" text-anchor="middle">{tick:g}</text>')
    for tick in _ticks(top_y):
        y = base_y - _scale(tick, top_y, plot_h)
        parts.append(f'<text x="{MARGIN - 6}" y="{y + 4}" text-anchor="end">{tick:g}</text>')
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as a person reads it, e.g. "EUR 12.50"
    current: bool = False


def bar_chart_svg(bars: list[Bar], *, title: str) -> str:
    """Vertical bars, one per period, labelled with their amounts; the current one stands out."""
    top = max((b.value for b in bars), default=0.0) or 1.0
    plot_h = HEIGHT - 2 * MARGIN
    step = (WIDTH - 2 * MARGIN) / max(len(bars), 1)
    base_y = HEIGHT - MARGIN
    parts = [f'<line x1="{MARGIN}" y1="{base_y}" x2="{WIDTH - MARGIN}" y2="{base_y}" stroke="#55606e"/>']
    for i, bar in enumerate(bars):
        h = _scale(max(bar.value, 0.0), top, plot_h)
        x = round(MARGIN + i * step + step * 0.15, 1)
        w = round(step * 0.7, 1)
        mid = round(x + w / 2, 1)
        fill = "currentColor" if bar.current else "#9aa5b1"
        parts.append(
            f'<rect x="{x}" y="{base_y - h}" width="{w}" height="{h}" fill="{fill}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
            f'<text x="{mid}" y="{base_y - h - 6}" text-anchor="middle">{escape(bar.text)}</text>'
            f'<text x="{mid}" y="{base_y + 16}" text-anchor="middle">{escape(bar.label)}</text>'
        )
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars)
    return _svg(title, desc or "no statement", "".join(parts), "bars")


def _svg(title: str, desc: str, body: str, kind: str) -> str:
    return (
        f'<svg class="chart {kind}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title chart-desc" font-size="11">'
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )
