"""A small catalogue of distinct recordings made by the builtin generator (no audio files
are committed), and ways to degrade an excerpt of one."""

import subprocess

import numpy as np
import pytest

from generation.plan import make_plan, parse_tags
from generation.synth import SAMPLE_RATE, render, trimmed_to, wav_bytes

CATALOGUE = [("pop",), ("rock",), ("jazz",), ("electronic", "dark"), ("folk", "happy"), ("hiphop",)]


def track(tags, seed, seconds=40.0) -> bytes:
    plan = make_plan(parse_tags(list(tags)), master_seed=seed, take=0, duration_s=seconds)
    return wav_bytes(trimmed_to(render([plan], noise_seed=seed)[0], plan))


def ffmpeg(data: bytes, *arguments: str, fmt: str = "wav") -> bytes:
    command = ["ffmpeg", "-v", "error", "-i", "pipe:0", *arguments, "-f", fmt, "pipe:1"]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def excerpt(data: bytes, start_s: float, seconds: float) -> bytes:
    return ffmpeg(data, "-ss", str(start_s), "-t", str(seconds))


def with_noise(data: bytes, snr_db: float, seed: int = 0) -> bytes:
    from generation.synth import read_wav

    audio, _ = read_wav(data)
    signal = audio.numpy()
    noise = np.random.default_rng(seed).standard_normal(signal.shape).astype(np.float32)
    noise *= np.sqrt((signal**2).mean() / (noise**2).mean() / 10 ** (snr_db / 10))
    import torch

    mixed = torch.from_numpy(np.clip(signal + noise, -1, 1))
    return wav_bytes(mixed, SAMPLE_RATE)


@pytest.fixture(scope="session")
def catalogue() -> dict[int, bytes]:
    return {number: track(tags, seed=100 + number) for number, tags in enumerate(CATALOGUE, start=1)}
