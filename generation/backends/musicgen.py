"""MusicGen (transformers' MusicgenForConditionalGeneration) from a local weights directory.

transformers samples from the global RNG, which concurrent requests would share. Sampling
here is done by a logits processor that draws from a per-request `torch.Generator` and masks
every other token (with a large finite negative: -inf turns classifier-free guidance into
NaN); decoding is then greedy, so the request's seed alone decides the tokens.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch
from django.conf import settings

from generation.backends import BackendError, BackendUnavailable, GenerationSpec, Rendered
from generation.backends.hf import batch_of_takes, description, resample, to_stereo_44k, weights_directory
from generation.synth import SAMPLE_RATE

TOP_K = 250
GUIDANCE_SCALE = 3.0
MASKED = -1e4
MAX_CONTINUATION_S = 60


@lru_cache(maxsize=2)
def _load(directory: str, device: str):
    """Loaded once per worker process and kept (the gpu worker serves many requests)."""
    try:
        from transformers import AutoTokenizer, MusicgenForConditionalGeneration
    except ImportError as exc:
        raise BackendUnavailable(f"musicgen: transformers is not installed ({exc})") from None
    model = (
        MusicgenForConditionalGeneration.from_pretrained(directory, local_files_only=True).to(device).eval()
    )
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    return model, tokenizer


def seeded_sampler(generator: torch.Generator, top_k: int = TOP_K, temperature: float = 1.0):
    from transformers import LogitsProcessor

    class SeededSampler(LogitsProcessor):
        def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
            top = torch.topk(scores / temperature, k=min(top_k, scores.shape[-1]), dim=-1)
            choice = torch.multinomial(torch.softmax(top.values, dim=-1), 1, generator=generator)
            chosen = torch.full_like(scores, MASKED)
            return chosen.scatter_(-1, top.indices.gather(-1, choice), 0.0)

    return SeededSampler()


class MusicgenBackend:
    name = "musicgen"
    version = "musicgen-transformers"
    plan_edits: tuple[str, ...] = ()

    def __init__(self, directory: str) -> None:
        self.directory = directory

    @classmethod
    def from_settings(cls) -> MusicgenBackend:
        return cls(
            str(weights_directory("GENERATION_MUSICGEN_DIR", settings.GENERATION_MUSICGEN_DIR, "musicgen"))
        )

    def check(self, spec: GenerationSpec) -> None:
        if not spec.prompt.strip() and not spec.tags:
            raise BackendError("musicgen needs a prompt or tags to condition on")

    def generate(self, spec: GenerationSpec, device: torch.device) -> list[Rendered]:
        model, _ = _load(self.directory, str(device))
        # The codebooks' delay pattern costs (codebooks - 1) frames of the output.
        frames = (
            round(spec.duration_s * model.config.audio_encoder.frame_rate)
            + model.config.decoder.num_codebooks
            - 1
        )
        recipe = {
            "description": description(spec),
            "seed": spec.seed,
            "max_new_tokens": frames,
            "guidance_scale": GUIDANCE_SCALE,
            "top_k": TOP_K,
            "takes": spec.takes,
        }
        return batch_of_takes(self._sample(recipe, device), recipe)

    def _sample(self, recipe: dict[str, Any], device: torch.device) -> torch.Tensor:
        model, tokenizer = _load(self.directory, str(device))
        inputs = tokenizer([recipe["description"]] * recipe["takes"], return_tensors="pt", padding=True).to(
            device
        )
        generator = torch.Generator(device=device).manual_seed(recipe["seed"])
        with torch.inference_mode():
            values = model.generate(
                **inputs,
                do_sample=False,
                max_new_tokens=recipe["max_new_tokens"],
                guidance_scale=recipe["guidance_scale"],
                logits_processor=[seeded_sampler(generator, recipe["top_k"])],
            )
        rate = model.config.audio_encoder.sampling_rate
        return torch.stack([to_stereo_44k(values[i], rate) for i in range(values.shape[0])])

    def render(
        self, recipe: dict[str, Any], batch: list[dict[str, Any]], device: torch.device
    ) -> torch.Tensor:
        return self._sample(recipe, device)[recipe["render"]["batch"]]

    def edit(self, recipe: dict[str, Any], operation: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """Only `extend` needs the model: a continuation of the take's own audio."""
        if operation != "extend" or "seconds" not in parameters:
            raise BackendError(
                f"musicgen takes support extend (by seconds), audio edits and lyrics, not {operation!r}"
            )
        if not 0 < parameters["seconds"] <= MAX_CONTINUATION_S:
            raise BackendError(f"extend musicgen takes by 0..{MAX_CONTINUATION_S} seconds")
        continuation = {"source": recipe, "seconds": parameters["seconds"], "seed": parameters.get("seed", 0)}
        return recipe | {"render": {"continue": continuation}, "post": []}

    def continue_audio(
        self, audio: torch.Tensor, continuation: dict[str, Any], device: torch.device
    ) -> torch.Tensor:
        """MusicGen prompted with `audio` (the source take, 44.1 kHz stereo): the prompt
        re-decoded, and `seconds` more of it."""
        model, tokenizer = _load(self.directory, str(device))
        rate = model.config.audio_encoder.sampling_rate
        prompt = resample(audio.float().mean(dim=0, keepdim=True), SAMPLE_RATE, rate).unsqueeze(0).to(device)
        inputs = tokenizer([continuation["source"]["description"]], return_tensors="pt", padding=True).to(
            device
        )
        generator = torch.Generator(device=device).manual_seed(continuation["seed"])
        with torch.inference_mode():
            values = model.generate(
                **inputs,
                input_values=prompt,
                padding_mask=torch.ones_like(prompt, dtype=torch.long),
                do_sample=False,
                max_new_tokens=round(continuation["seconds"] * model.config.audio_encoder.frame_rate)
                + model.config.decoder.num_codebooks
                - 1,
                guidance_scale=continuation["source"]["guidance_scale"],
                logits_processor=[seeded_sampler(generator, continuation["source"]["top_k"])],
            )
        return to_stereo_44k(values[0], rate)
