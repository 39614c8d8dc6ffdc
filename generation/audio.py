"""Audio edits that work on rendered audio (any backend), and export encodings.

No Django. Encoding goes through ffmpeg with bit-exact flags and no metadata, so the same
audio always encodes to the same bytes on the same ffmpeg.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from pathlib import Path

import torch

from generation.synth import SAMPLE_RATE

MAX_GAIN_DB = 24.0


class AudioEditError(ValueError):
    pass


def duration_s(audio: torch.Tensor, sample_rate: int = SAMPLE_RATE) -> float:
    return audio.shape[-1] / sample_rate


def apply(audio: torch.Tensor, op: dict, sample_rate: int = SAMPLE_RATE) -> torch.Tensor:
    """One recorded edit on [channels, samples] audio; AudioEditError if it does not fit."""
    length = duration_s(audio, sample_rate)
    if op["op"] == "trim":
        start, end = op.get("start_s", 0.0), op.get("end_s", length)
        if not 0 <= start < end <= length + 1e-9:
            raise AudioEditError(f"trim {start}..{end} s is outside the take's 0..{length:.2f} s")
        return audio[..., round(start * sample_rate) : round(end * sample_rate)].clone()
    if op["op"] == "fade":
        fade_in, fade_out = op.get("in_s", 0.0), op.get("out_s", 0.0)
        if fade_in < 0 or fade_out < 0 or fade_in + fade_out > length:
            raise AudioEditError(f"fades of {fade_in} s and {fade_out} s do not fit a {length:.2f} s take")
        envelope = torch.ones(audio.shape[-1])
        if fade_in:
            n = round(fade_in * sample_rate)
            envelope[:n] = torch.linspace(0, 1, n)
        if fade_out:
            n = round(fade_out * sample_rate)
            envelope[-n:] = torch.minimum(envelope[-n:], torch.linspace(1, 0, n))
        return audio * envelope.to(audio.device)
    if op["op"] == "gain":
        db = op["db"]
        if not -MAX_GAIN_DB <= db <= MAX_GAIN_DB:
            raise AudioEditError(f"gain {db} dB is outside ±{MAX_GAIN_DB} dB")
        return (audio * math.pow(10, db / 20)).clamp(-1, 1)
    raise AudioEditError(f"unknown audio operation {op['op']!r}")


# Explicit audio label (GB 45438-2025): the short-long-short-short rhythm of tones.
CUE_HZ = 800.0
CUE_SHORT_S, CUE_LONG_S, CUE_GAP_S = 0.1, 0.3, 0.1
CUE_PATTERN = (CUE_SHORT_S, CUE_LONG_S, CUE_SHORT_S, CUE_SHORT_S)
CUE_LEVEL = 0.3
CUE_RAMP_S = 0.005  # no clicks at the tone edges
CUE_POSITIONS = ("start", "middle", "end")


def cue_duration_s() -> float:
    return sum(CUE_PATTERN) + CUE_GAP_S * (len(CUE_PATTERN) - 1)


def label_cue(sample_rate: int = SAMPLE_RATE) -> torch.Tensor:
    """The rhythm cue as mono samples: short-long-short-short 800 Hz tones, 0.1 s gaps."""
    parts = []
    for number, length in enumerate(CUE_PATTERN):
        n = round(length * sample_rate)
        t = torch.arange(n, dtype=torch.float64) / sample_rate
        ramp = torch.clamp(torch.minimum(t, (n - 1) / sample_rate - t) / CUE_RAMP_S, 0, 1)
        parts.append(CUE_LEVEL * ramp * torch.sin(2 * math.pi * CUE_HZ * t))
        if number < len(CUE_PATTERN) - 1:
            parts.append(torch.zeros(round(CUE_GAP_S * sample_rate), dtype=torch.float64))
    return torch.cat(parts).float()


def cue_start_s(length_s: float, position: str) -> float:
    if position not in CUE_POSITIONS:
        raise AudioEditError(f"explicit label position must be one of {', '.join(CUE_POSITIONS)}")
    cue = cue_duration_s()
    if length_s < cue:
        raise AudioEditError(f"a {length_s:.2f} s take is shorter than the {cue:.1f} s label cue")
    return {"start": 0.0, "middle": (length_s - cue) / 2, "end": length_s - cue}[position]


def with_label_cue(audio: torch.Tensor, position: str, sample_rate: int = SAMPLE_RATE) -> torch.Tensor:
    """The audio with the cue mixed in (every channel) at the start, middle or end; the
    music is ducked under it so the cue stays audible, and the sum stays in [-1, 1]."""
    cue = label_cue(sample_rate).to(audio.device)
    start = round(cue_start_s(duration_s(audio, sample_rate), position) * sample_rate)
    mixed = audio.clone()
    window = mixed[..., start : start + cue.shape[0]]
    mixed[..., start : start + cue.shape[0]] = (window * (1 - CUE_LEVEL) + cue).clamp(-1, 1)
    return mixed


ENCODERS = {
    "flac": ["-c:a", "flac", "-compression_level", "5", "-f", "flac"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3"],
    "m4a": ["-c:a", "aac", "-b:a", "192k", "-f", "ipod"],
}


def encode(wav: bytes, fmt: str) -> bytes:
    """WAV bytes to `fmt` ("wav" returns them unchanged)."""
    if fmt == "wav":
        return wav
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", "pipe:0", "-map_metadata", "-1"]
    command += ["-fflags", "+bitexact", "-flags:a", "+bitexact", *ENCODERS[fmt]]
    # The MP4 muxer seeks back to write its index: it needs a file, not a pipe.
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"out.{fmt}"
        result = subprocess.run(  # noqa: S603
            [*command, str(target)], input=wav, capture_output=True, check=False, timeout=300
        )
        if result.returncode != 0:
            detail = result.stderr.decode(errors="replace")[-500:]
            raise RuntimeError(f"ffmpeg could not encode {fmt}: {detail}")
        return target.read_bytes()
