"""Stable Audio (diffusers' StableAudioPipeline) from a local weights directory.

The pipeline takes a per-request `torch.Generator` natively, so a request's seed alone
decides its takes.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from django.conf import settings

from generation.backends import BackendError, BackendUnavailable, GenerationSpec, Rendered
from generation.backends.hf import batch_of_takes, description, to_stereo_44k, weights_directory


@lru_cache(maxsize=2)
def _load(directory: str, device: str):
    try:
        from diffusers import StableAudioPipeline
    except ImportError as exc:
        raise BackendUnavailable(f"stable_audio: diffusers is not installed ({exc})") from None
    pipeline = StableAudioPipeline.from_pretrained(directory, local_files_only=True).to(device)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


class StableAudioBackend:
    name = "stable_audio"
    version = "stable-audio-diffusers"
    plan_edits: tuple[str, ...] = ()

    def __init__(self, directory: str, steps: int) -> None:
        self.directory, self.steps = directory, steps

    @classmethod
    def from_settings(cls) -> StableAudioBackend:
        directory = weights_directory(
            "GENERATION_STABLE_AUDIO_DIR", settings.GENERATION_STABLE_AUDIO_DIR, "stable_audio"
        )
        return cls(str(directory), settings.GENERATION_STABLE_AUDIO_STEPS)

    def max_duration_s(self) -> float:
        """What the model can make, read from its configs without loading any weights."""
        folder = Path(self.directory)
        transformer = json.loads((folder / "transformer" / "config.json").read_text())
        vae = json.loads((folder / "vae" / "config.json").read_text())
        return transformer["sample_size"] * math.prod(vae["downsampling_ratios"]) / vae["sampling_rate"]

    def check(self, spec: GenerationSpec) -> None:
        if spec.duration_s > self.max_duration_s():
            raise BackendError(
                f"stable_audio makes at most {self.max_duration_s():g} s; {spec.duration_s:g} s asked"
            )

    def generate(self, spec: GenerationSpec, device: torch.device) -> list[Rendered]:
        recipe = {
            "description": description(spec),
            "seed": spec.seed,
            "duration_s": spec.duration_s,
            "steps": self.steps,
            "takes": spec.takes,
        }
        return batch_of_takes(self._sample(recipe, device), recipe)

    def _sample(self, recipe: dict[str, Any], device: torch.device) -> torch.Tensor:
        pipeline = _load(self.directory, str(device))
        generator = torch.Generator(device=device).manual_seed(recipe["seed"])
        with torch.inference_mode():
            result = pipeline(
                recipe["description"],
                num_inference_steps=recipe["steps"],
                audio_end_in_s=recipe["duration_s"],
                num_waveforms_per_prompt=recipe["takes"],
                generator=generator,
                output_type="pt",
            )
        rate = pipeline.vae.sampling_rate
        return torch.stack([to_stereo_44k(result.audios[i], rate) for i in range(result.audios.shape[0])])

    def render(
        self, recipe: dict[str, Any], batch: list[dict[str, Any]], device: torch.device
    ) -> torch.Tensor:
        return self._sample(recipe, device)[recipe["render"]["batch"]]

    def edit(self, recipe: dict[str, Any], operation: str, parameters: dict[str, Any]) -> dict[str, Any]:
        raise BackendError(
            f"stable_audio takes support audio edits (trim, fade, gain) and lyrics, not {operation!r}"
        )
