"""Audio edits that work on rendered audio (any backend), and export encodings.

No Django. Encoding goes through ffmpeg with bit-exact flags and no metadata, so the same
audio always encodes to the same bytes on the same ffmpeg.
"""

from __future__ import annotations

import math
import subprocess

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


ENCODERS = {
    "flac": ["-c:a", "flac", "-compression_level", "5", "-f", "flac"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3"],
}


def encode(wav: bytes, fmt: str) -> bytes:
    """WAV bytes to `fmt` ("wav" returns them unchanged)."""
    if fmt == "wav":
        return wav
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", "pipe:0", "-map_metadata", "-1"]
    command += ["-fflags", "+bitexact", "-flags:a", "+bitexact", *ENCODERS[fmt], "pipe:1"]
    result = subprocess.run(command, input=wav, capture_output=True, check=False, timeout=300)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg could not encode {fmt}: {result.stderr.decode(errors='replace')[-500:]}")
    return result.stdout
