"""Generator backends: one interface, looked up by name.

A backend renders a batch of takes for a request, renders a take again from its recipe
(replay), and applies the edits that need its model (re-render, regenerate a section,
extend, tempo). Audio-only edits (trim, fade, gain) are backend-independent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import torch


class BackendError(ValueError):
    """Bad input for a backend (unknown tag, unsupported edit): the caller's mistake."""


class BackendUnavailable(RuntimeError):
    """The backend cannot run here (no weights directory, missing package)."""


@dataclass(frozen=True)
class GenerationSpec:
    prompt: str
    lyrics: str
    tags: list[str]
    duration_s: float
    seed: int
    takes: int


@dataclass
class Rendered:
    audio: torch.Tensor  # [2, samples], float in [-1, 1]
    recipe: dict[str, Any]
    sample_rate: int = 44_100
    extra: dict[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    name: str
    version: str
    plan_edits: tuple[str, ...]

    def check(self, spec: GenerationSpec) -> None: ...

    def generate(self, spec: GenerationSpec, device: torch.device) -> list[Rendered]: ...

    def render(
        self, recipe: dict[str, Any], batch: list[dict[str, Any]], device: torch.device
    ) -> torch.Tensor: ...

    def edit(self, recipe: dict[str, Any], operation: str, parameters: dict[str, Any]) -> dict[str, Any]: ...


def backend_names() -> list[str]:
    return ["builtin", "musicgen", "stable_audio"]


def get_backend(name: str) -> Backend:
    if name == "builtin":
        from generation.backends.builtin import BuiltinBackend

        return BuiltinBackend()
    if name == "musicgen":
        from generation.backends.musicgen import MusicgenBackend

        return MusicgenBackend.from_settings()
    if name == "stable_audio":
        from generation.backends.stable_audio import StableAudioBackend

        return StableAudioBackend.from_settings()
    raise BackendError(f"unknown backend {name!r}; known: {', '.join(backend_names())}")
