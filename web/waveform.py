"""A take's waveform as a small SVG, drawn from its audio's peaks on the server.

Takes never change (an edit makes a new take), so the drawing is cached by the audio's
SHA-256 for as long as the cache keeps it.
"""

from __future__ import annotations

import itertools

from django.core.cache import cache

BARS = 160
HEIGHT = 64
CACHE_SECONDS = 7 * 24 * 3600


def peaks(audio, bars: int = BARS) -> list[float]:
    """The loudest sample (0..1) in each of `bars` equal slices of a [channels, samples] tensor."""
    mono = audio.abs().amax(dim=0)
    length = mono.shape[-1]
    if length == 0:
        return [0.0] * bars
    edges = [round(i * length / bars) for i in range(bars + 1)]
    return [float(mono[a:b].max()) if b > a else 0.0 for a, b in itertools.pairwise(edges)]


def waveform_svg(values: list[float]) -> str:
    middle = HEIGHT / 2
    bars = "".join(
        f'<rect x="{i}" y="{middle - max(v, 0.01) * middle:.2f}" width="0.8" '
        f'height="{max(v, 0.01) * HEIGHT:.2f}"/>'
        for i, v in enumerate(values)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {len(values)} {HEIGHT}" '
        f'preserveAspectRatio="none" fill="#0b5cad">{bars}</svg>'
    )


def take_waveform(take) -> str:
    from generation.services import take_audio

    key = f"web:waveform:{take.sha256}"
    svg = cache.get(key)
    if svg is None:
        svg = waveform_svg(peaks(take_audio(take)))
        cache.set(key, svg, CACHE_SECONDS)
    return svg
