"""Chromaprint fingerprints, in process: any common audio format -> raw 32-bit sub-fingerprints.

Audio is decoded once, by ffmpeg, to 11,025 Hz mono 16-bit PCM (what Chromaprint works on);
libchromaprint (Debian `libchromaprint1`) is called through pyacoustid's `chromaprint`
module. One sub-fingerprint covers ~124 ms (about 8 per second), the first after ~2.6 s.

No Django: benchmarks and the index call this directly.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

SAMPLE_RATE = 11_025
ITEMS_PER_SECOND = SAMPLE_RATE / (4096 / 3)  # Chromaprint's hop: 4096 samples, 2/3 overlap
MIN_SECONDS = 3.0  # before ~2.6 s Chromaprint emits nothing
DECODE_TIMEOUT_S = 600


class AudioError(ValueError):
    """Not audio, corrupt, silent or too short: the caller's file, not our bug."""


@dataclass(frozen=True)
class Variant:
    """A transformation applied to a query before fingerprinting, to undo a copy's change:
    `rate` resamples the way a tape played faster would (pitch and tempo together), then
    `tempo` stretches time with the pitch kept. Pitch alone: Variant(s, 1 / s)."""

    rate: float = 1.0
    tempo: float = 1.0

    @property
    def time_scale(self) -> float:
        """Seconds of the query per second of the transformed audio."""
        return self.rate * self.tempo

    @property
    def filters(self) -> str:
        """The ffmpeg filter chain at 11,025 Hz ('' for the plain query). Resampling comes
        first, so that asetrate knows the rate it scales (the source's may be any)."""
        steps = []
        if self.rate != 1.0:
            steps += [f"aresample={SAMPLE_RATE}", f"asetrate={SAMPLE_RATE * self.rate:.3f}"]
            steps += [f"aresample={SAMPLE_RATE}"]
        if self.tempo != 1.0:
            steps.append(f"atempo={self.tempo:.6f}")
        return ",".join(steps)


PLAIN = Variant()


@dataclass(frozen=True)
class Fingerprint:
    values: np.ndarray  # uint32 sub-fingerprints
    duration_s: float

    def seconds_at(self, item: int) -> float:
        return item / ITEMS_PER_SECOND


def decode(source: str | Path | bytes, *, variant: Variant = PLAIN) -> np.ndarray:
    """Audio (a path, or the bytes of a file) as 11,025 Hz mono int16 samples, transformed
    by `variant`; the index searches a query at several variants to find resampled,
    pitch-shifted or time-stretched copies.
    """
    filters = ["-af", variant.filters] if variant != PLAIN else []
    arguments = ["-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), *filters]
    result = _ffmpeg(source, [*arguments, "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"])
    samples = np.frombuffer(result.stdout, dtype="<i2")
    if result.returncode != 0 and samples.size == 0:
        raise _undecodable(result)
    return samples


def decode_variants(source: str | Path | bytes, variants: Sequence[Variant]) -> dict[Variant, np.ndarray]:
    """`decode` at every variant in one ffmpeg run: the source is decoded once and split
    (a query searched at nine variants would otherwise be decoded nine times)."""
    graph = [f"[0:a]asplit={len(variants)}" + "".join(f"[s{n}]" for n in range(len(variants)))]
    graph += [f"[s{n}]{variant.filters or 'anull'}[o{n}]" for n, variant in enumerate(variants)]
    with tempfile.TemporaryDirectory(prefix="songproof-decode-") as folder:
        outputs = [Path(folder) / f"{n}.raw" for n in range(len(variants))]
        arguments = ["-filter_complex", ";".join(graph)]
        for n, output in enumerate(outputs):
            arguments += ["-map", f"[o{n}]", "-ac", "1", "-ar", str(SAMPLE_RATE)]
            arguments += ["-f", "s16le", "-acodec", "pcm_s16le", str(output)]
        result = _ffmpeg(source, arguments)
        decoded = {
            variant: np.fromfile(output, dtype="<i2") if output.exists() else np.empty(0, "<i2")
            for variant, output in zip(variants, outputs, strict=True)
        }
    if result.returncode != 0 and not any(samples.size for samples in decoded.values()):
        raise _undecodable(result)
    return decoded


def _ffmpeg(source: str | Path | bytes, arguments: list[str]) -> subprocess.CompletedProcess:
    """ffmpeg reading `source` (a path, or a file's bytes on stdin), then `arguments`."""
    source_arg, stdin = (
        ("pipe:0", bytes(source)) if isinstance(source, (bytes, bytearray)) else (str(source), None)
    )
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", source_arg, *arguments]
    try:
        # A fixed ffmpeg argv; the audio arrives on stdin or as a path argument, never a shell.
        return subprocess.run(  # noqa: S603
            command, input=stdin, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise AudioError(f"decoding took longer than {DECODE_TIMEOUT_S} s") from None


def _undecodable(result: subprocess.CompletedProcess) -> AudioError:
    detail = result.stderr.decode(errors="replace").strip().splitlines()
    return AudioError(f"not decodable audio: {detail[-1] if detail else 'ffmpeg failed'}")


def samples_from_audio(audio: np.ndarray, rate: int, *, speed: float = 1.0) -> np.ndarray:
    """Float audio [channels, samples] at `rate` as 11,025 Hz mono int16, in memory (band-
    limited FFT resampling; `speed` as in `decode`). Saves a round trip through ffmpeg for
    audio the service has just made."""
    mono = np.asarray(audio, dtype=np.float64).reshape(-1, np.shape(audio)[-1]).mean(axis=0)
    ratio = SAMPLE_RATE / (rate * speed)
    target = round(mono.size * ratio)
    # Padded with silence to a length whose FFT is fast (a prime length took 10x longer); at
    # speed 1 the padded length also resamples to a whole number of samples.
    padded = _fast_length(mono.size, Fraction(SAMPLE_RATE, rate).denominator if speed == 1.0 else 1)
    length = round(padded * ratio)
    spectrum = np.fft.rfft(mono, n=padded)
    bins = length // 2 + 1
    resized = np.zeros(bins, dtype=spectrum.dtype)
    keep = min(bins, spectrum.size)
    resized[:keep] = spectrum[:keep]
    resampled = np.fft.irfft(resized, n=length)[:target] * (length / padded)
    return np.clip(np.round(resampled * 32767), -32768, 32767).astype(np.int16)


def _fast_length(size: int, multiple: int) -> int:
    """The least multiple of `multiple` >= `size` whose quotient has no prime factor over 7."""
    quotient = -(-size // multiple)
    while True:
        rest = quotient
        for prime in (2, 3, 5, 7):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return quotient * multiple
        quotient += 1


def fingerprint_samples(samples: np.ndarray) -> Fingerprint:
    import chromaprint

    duration = samples.size / SAMPLE_RATE
    if duration < MIN_SECONDS:
        raise AudioError(
            f"{duration:.1f} s of audio is shorter than the {MIN_SECONDS:g} s a fingerprint needs"
        )
    if not np.any(np.abs(samples.astype(np.int32)) > 32):
        raise AudioError("the audio is silent")
    printer = chromaprint.Fingerprinter()
    printer.start(SAMPLE_RATE, 1)
    printer.feed(samples.astype("<i2").tobytes())
    raw, _ = chromaprint.decode_fingerprint(printer.finish())
    return Fingerprint(values=np.asarray(raw, dtype=np.int64).astype(np.uint32), duration_s=duration)


def fingerprint(source: str | Path | bytes, *, variant: Variant = PLAIN) -> Fingerprint:
    return fingerprint_samples(decode(source, variant=variant))


def bit_error_rate(a: np.ndarray, b: np.ndarray) -> float:
    """Share of differing bits between two equally long runs of sub-fingerprints."""
    if a.size == 0:
        return 1.0
    return int(np.bitwise_count(np.bitwise_xor(a, b)).sum(dtype=np.int64)) / (32 * a.size)
