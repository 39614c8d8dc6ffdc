"""What the weight-loading backends (musicgen, stable_audio) share: the operator's local
weights directory, per-process model cache, and conversion of their audio to 44.1 kHz stereo.

Weights are only ever read from a local directory (`local_files_only`): nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from generation.backends import BackendUnavailable, GenerationSpec, Rendered
from generation.synth import SAMPLE_RATE


def description(spec: GenerationSpec) -> str:
    """The text the model is conditioned on: the prompt, then the tags."""
    return ", ".join(part for part in (spec.prompt.strip(), ", ".join(spec.tags)) if part)


def batch_of_takes(audio: torch.Tensor, recipe: dict[str, Any]) -> list[Rendered]:
    """One Rendered per take of a batch sampled together; replay samples the batch again."""
    return [
        Rendered(audio=audio[i], recipe=recipe | {"render": {"batch": i}, "post": []})
        for i in range(len(audio))
    ]


def weights_directory(setting_name: str, configured: str | None, backend: str) -> Path:
    if not configured:
        raise BackendUnavailable(f"{backend}: no weights directory configured (set {setting_name})")
    path = Path(configured)
    if not (path / "config.json").is_file() and not (path / "model_index.json").is_file():
        raise BackendUnavailable(f"{backend}: {path} holds no model (config.json or model_index.json)")
    return path


def resample(audio: torch.Tensor, source_rate: int, target_rate: int) -> torch.Tensor:
    """Band-limited resampling of [channels, samples] by FFT (no torchaudio needed)."""
    if source_rate == target_rate:
        return audio
    samples = round(audio.shape[-1] * target_rate / source_rate)
    spectrum = torch.fft.rfft(audio, dim=-1)
    bins = samples // 2 + 1
    resized = torch.zeros((*audio.shape[:-1], bins), dtype=spectrum.dtype)
    keep = min(bins, spectrum.shape[-1])
    resized[..., :keep] = spectrum[..., :keep]
    return torch.fft.irfft(resized, n=samples, dim=-1) * (samples / audio.shape[-1])


def to_stereo_44k(audio: torch.Tensor, rate: int) -> torch.Tensor:
    """[channels, samples] at `rate` to [2, samples] at 44.1 kHz."""
    audio = audio.float().cpu()
    if audio.shape[0] == 1:
        audio = audio.expand(2, -1)
    audio = resample(audio[:2], rate, SAMPLE_RATE)
    peak = audio.abs().max().clamp(min=1e-6)
    return (audio / peak * 0.89).contiguous() if peak > 0.89 else audio.contiguous()
