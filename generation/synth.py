"""Batched torch synthesis of builtin plans: N takes render as one [N, 2, samples] tensor.

Each monophonic line (a chord voice, the bass, the melody) becomes per-sample note lookups
(`searchsorted` over note starts), oscillators and an ADSR envelope, all vectorised over
takes and samples; drums are one-shots placed the same way. Noise comes from a seeded
`torch.Generator` on the CPU, so it is the same on every device.

No Django: a benchmark or the GPU worker calls `render` directly.
"""

from __future__ import annotations

import io
import math
import wave

import torch

from generation.plan import GENRES, STEPS_PER_BAR, Plan

SAMPLE_RATE = 44_100
PEAK = 10 ** (-1 / 20)  # -1 dBFS
TAIL_S = 1.5  # room for the last notes' release and the reverb


def midi_to_hz(midi: torch.Tensor) -> torch.Tensor:
    return 440.0 * torch.pow(2.0, (midi - 69.0) / 12.0)


def _padded(rows: list[list[list[float]]], width: int, device) -> torch.Tensor:
    """Note lists of unequal length as one [N, M, width] tensor (padding starts far away)."""
    longest = max(1, max(len(r) for r in rows))
    table = torch.zeros((len(rows), longest, width), dtype=torch.float64)
    table[:, :, 0] = 1e12  # padding notes start after the end of time
    for take, notes in enumerate(rows):
        if notes:
            table[take, : len(notes)] = torch.tensor(notes, dtype=torch.float64)
    return table.to(device)


def _swung(steps: torch.Tensor, swing: float) -> torch.Tensor:
    """Delay every second sixteenth by `swing` of a step (0 = straight)."""
    return steps + swing * (torch.remainder(torch.floor(steps), 2) == 1)


def _lookup(starts: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """For each sample, the index of the last note that started at or before it (-1 if none)."""
    return torch.searchsorted(starts.contiguous(), t.expand(starts.shape[0], -1).contiguous(), right=True) - 1


def _oscillator(kind: str, phase: torch.Tensor) -> torch.Tensor:
    if kind == "sine":
        return torch.sin(phase)
    cycle = torch.remainder(phase / (2 * math.pi), 1.0)
    if kind == "saw":
        return 2 * cycle - 1
    if kind == "square":
        return torch.tanh(4 * torch.sin(phase))
    return 4 * torch.abs(cycle - 0.5) - 1  # triangle


def _line(
    notes: torch.Tensor,
    t: torch.Tensor,
    step_s: torch.Tensor,
    *,
    kind: str,
    attack: float,
    release: float,
    detune: float = 0.0,
) -> torch.Tensor:
    """One monophonic voice per take: notes [N, M, (start, length, midi, velocity)] in steps."""
    starts_s, lengths_s = notes[..., 0] * step_s, notes[..., 1] * step_s
    index = _lookup(starts_s, t)
    safe = index.clamp(min=0)
    # Before a line's first note there is no note: silence (and no exp() of a huge number).
    local = torch.where(index >= 0, t - torch.gather(starts_s, 1, safe), 0.0).float()
    gate = torch.gather(lengths_s, 1, safe).float()
    hz = midi_to_hz(torch.gather(notes[..., 2], 1, safe)).float()
    velocity = (torch.gather(notes[..., 3], 1, safe) * (index >= 0)).float()
    rise = torch.clamp(local / attack, max=1.0)
    envelope = torch.where(local < gate, rise * (0.7 + 0.3 * torch.exp(-local / 0.3)), 0.0)
    after = torch.clamp(local - gate, min=0.0)
    envelope = envelope + (local >= gate) * torch.clamp(gate / attack, max=1.0) * 0.7 * torch.exp(
        -after / release
    )
    phase = 2 * math.pi * hz * local
    wave_ = _oscillator(kind, phase)
    if detune:
        wave_ = 0.5 * (wave_ + _oscillator(kind, phase * (1 + detune)))
    return wave_ * envelope * velocity


def _drum_voice(
    hits, t: torch.Tensor, step_s: torch.Tensor, noise: torch.Tensor, bright: torch.Tensor, kind: int
):
    starts = torch.where(hits[..., 1] == kind, hits[..., 0] * step_s, torch.full_like(hits[..., 0], 1e12))
    starts, order = torch.sort(starts, dim=1)
    velocity = torch.gather(hits[..., 2], 1, order)
    index = _lookup(starts, t)
    safe = index.clamp(min=0)
    local = torch.where(index >= 0, t - torch.gather(starts, 1, safe), 0.0).float()
    gain = (torch.gather(velocity, 1, safe) * (index >= 0)).float()
    if kind == 0:  # kick: a falling sine
        phase = 2 * math.pi * (45 * local + 90 * 0.04 * (1 - torch.exp(-local / 0.04)))
        return torch.sin(phase) * torch.exp(-local / 0.28) * gain
    if kind == 1:  # snare: noise and a short tone
        return (
            0.35 * noise * torch.exp(-local / 0.09)
            + 0.4 * torch.sin(2 * math.pi * 185 * local) * torch.exp(-local / 0.06)
        ) * gain
    return 0.12 * bright * torch.exp(-local / 0.03) * gain


def _reverb(stereo: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A decaying-noise room, by FFT convolution; a little of it, mixed in."""
    length = int(1.2 * SAMPLE_RATE)
    decay = torch.exp(-torch.arange(length, dtype=torch.float32) / (0.35 * SAMPLE_RATE))
    impulse = torch.randn((2, length), generator=generator) * decay
    impulse = (impulse / impulse.norm(dim=-1, keepdim=True)).to(stereo.device)
    size = 1 << (stereo.shape[-1] + length - 1).bit_length()  # a power of two: a fast FFT
    wet = torch.fft.irfft(torch.fft.rfft(stereo, n=size) * torch.fft.rfft(impulse, n=size), n=size)
    return stereo + 0.15 * wet[..., : stereo.shape[-1]]


CHUNK = 1 << 15  # samples rendered at a time: the working set stays in the CPU's caches


def render(plans: list[Plan], *, device: torch.device | str = "cpu", noise_seed: int = 0) -> torch.Tensor:
    """Plans of one genre to float32 audio [N, 2, samples] at 44.1 kHz, peak at -1 dBFS."""
    style = GENRES[plans[0].genre]
    if any(p.genre != plans[0].genre for p in plans):
        raise ValueError("a batch renders takes of one genre")
    device = torch.device(device)
    samples = int((max(p.duration_s() for p in plans) + TAIL_S) * SAMPLE_RATE)
    step_s = torch.tensor([[p.seconds_per_step()] for p in plans], dtype=torch.float64, device=device)
    generator = torch.Generator().manual_seed(noise_seed)
    noise = torch.randn((len(plans), samples), generator=generator).to(device)
    bright = noise - torch.roll(noise, 1, dims=-1)  # a first difference: high frequencies only
    voices = _voice_tables(plans, style, device)
    dry = torch.empty((len(plans), 2, samples), device=device)
    for start in range(0, samples, CHUNK):
        end = min(samples, start + CHUNK)
        t = (torch.arange(start, end, dtype=torch.float64, device=device) / SAMPLE_RATE).unsqueeze(0)
        dry[..., start:end] = _mix(voices, style, t, step_s, noise[:, start:end], bright[:, start:end])
    stereo = _reverb(dry, generator)
    stereo = torch.tanh(1.2 * stereo / stereo.abs().amax(dim=(1, 2), keepdim=True).clamp(min=1e-6))
    return (stereo / stereo.abs().amax(dim=(1, 2), keepdim=True).clamp(min=1e-6) * PEAK).float()


def _voice_tables(plans: list[Plan], style, device) -> dict[str, torch.Tensor | list[torch.Tensor]]:
    """Every line's notes as padded tensors, made once per render."""

    def table(rows, swung=True):
        notes = _padded(rows, 4, device)
        if swung:
            notes[..., 0] = _swung(notes[..., 0], style.swing)
        return notes

    chords = [
        table(
            [
                [
                    [bar * STEPS_PER_BAR, STEPS_PER_BAR * 0.98, chord[voice], 0.22]
                    for bar, chord in enumerate(p.chords)
                ]
                if voice < len(p.chords[0])
                else []
                for p in plans
            ],
            swung=False,
        )
        for voice in range(4)
    ]
    hits = _padded([p.drums for p in plans], 3, device)
    hits[..., 0] = _swung(hits[..., 0], style.swing)
    return {
        "chords": chords,
        "lead": table([p.melody for p in plans]),
        "bass": table([p.bass for p in plans]),
        "hits": hits,
    }


def _mix(voices, style, t, step_s, noise, bright) -> torch.Tensor:
    """The dry stereo mix [N, 2, len(t)] of every voice for the samples at times `t`."""
    left = torch.zeros((step_s.shape[0], t.shape[-1]), device=t.device)
    right = torch.zeros_like(left)
    for voice, notes in enumerate(voices["chords"]):  # spread across the stereo field
        pad = _line(notes, t, step_s, kind=style.pad, attack=0.12, release=0.6, detune=0.004)
        pan = 0.3 + 0.4 * voice / 3
        left, right = left + (1 - pan) * pad, right + pan * pad
    lead = _line(voices["lead"], t, step_s, kind=style.lead, attack=0.01, release=0.15)
    if style.drive:
        lead = torch.tanh(lead * (1 + style.drive)) * 0.6
    bass = _line(voices["bass"], t, step_s, kind="sine", attack=0.005, release=0.08)
    bass = bass + 0.3 * _line(voices["bass"], t, step_s, kind="triangle", attack=0.005, release=0.08)
    drums = sum(_drum_voice(voices["hits"], t, step_s, noise, bright, kind) for kind in range(3))
    center = 0.55 * lead + 0.7 * bass + 0.6 * drums
    return torch.stack([left + center, right + center], dim=1)


def trimmed_to(audio: torch.Tensor, plan: Plan) -> torch.Tensor:
    """One take's audio cut to its own length (a batch is as long as its longest take)."""
    return audio[..., : int((plan.duration_s() + TAIL_S) * SAMPLE_RATE)]


def quantized(audio: torch.Tensor) -> torch.Tensor:
    """The values a 16-bit WAV holds: what an edit of a stored take starts from."""
    return (audio.clamp(-1, 1) * 32767).round() / 32767


def wav_bytes(audio: torch.Tensor, sample_rate: int = SAMPLE_RATE) -> bytes:
    """[2, samples] float in [-1, 1] to 16-bit PCM WAV bytes (no timestamps: same in, same out)."""
    pcm = (audio.clamp(-1, 1) * 32767).round().to(torch.int16).cpu()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(pcm.shape[0])
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.t().contiguous().numpy().tobytes())
    return buffer.getvalue()


def read_wav(data: bytes) -> tuple[torch.Tensor, int]:
    with wave.open(io.BytesIO(data), "rb") as source:
        if source.getsampwidth() != 2:
            raise ValueError("only 16-bit PCM WAV is supported")
        frames = source.readframes(source.getnframes())
        channels, rate = source.getnchannels(), source.getframerate()
    pcm = torch.frombuffer(bytearray(frames), dtype=torch.int16).reshape(-1, channels).t()
    return pcm.float() / 32767, rate
