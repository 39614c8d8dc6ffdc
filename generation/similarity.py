"""How alike two renderings sound, for replays on another device where bytes differ.

A log-magnitude spectrogram cosine: 1.0 for the same audio, near 0.9+ for the same music
with float-level differences, much lower for different music.
"""

from __future__ import annotations

import torch


def _spectrogram(audio: torch.Tensor) -> torch.Tensor:
    mono = audio.float().mean(dim=0)
    window = torch.hann_window(2048)
    magnitude = torch.stft(mono, n_fft=2048, hop_length=512, window=window, return_complex=True).abs()
    return torch.log1p(100 * magnitude)


def audio_similarity(first: torch.Tensor, second: torch.Tensor) -> float:
    a, b = _spectrogram(first.cpu()), _spectrogram(second.cpu())
    frames = min(a.shape[-1], b.shape[-1])
    a, b = a[:, :frames].flatten(), b[:, :frames].flatten()
    return float(torch.nn.functional.cosine_similarity(a, b, dim=0))
