"""The torch runtime a take is made on: device choice, threads, determinism, and the record
of it that goes with every take (replay compares against it)."""

from __future__ import annotations

import os
import platform

import torch
from django.conf import settings

DTYPE = "float32"


def configure() -> torch.device:
    """Pin threads and determinism (CPU bytes depend on the thread count), pick the device."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_num_threads(settings.GENERATION_THREADS)
    torch.use_deterministic_algorithms(True)
    wanted = settings.GENERATION_DEVICE
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        return torch.device("cuda")
    return torch.device("cpu")


def environment(device: torch.device) -> dict:
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"cpu ({platform.machine()})",
        "device_type": device.type,
        "dtype": DTYPE,
        "threads": torch.get_num_threads(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "python": platform.python_version(),
    }


def same_environment(recorded: dict, current: dict) -> bool:
    keys = ("torch", "cuda", "device", "dtype", "threads", "deterministic")
    return all(recorded.get(key) == current.get(key) for key in keys)
