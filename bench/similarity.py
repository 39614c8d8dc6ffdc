"""Similarity engine accuracy and speed on real recorded music (fetched at run time).

    .venv/bin/python bench/similarity.py [--generated 100] [--excerpts 3] [--scales 1000,10000,100000]

Real music comes from Debian packages (wesnoth-1.16-music, lincity-ng-data,
frozen-bubble-data), downloaded with `apt-get download` into a scratch folder and never
committed. Tracks are split three ways: half of those of 60 s or more go into the catalogue
with distinct tracks from the builtin generator; the rest are held out, split into a
calibration set and an acceptance set that is only ever queried (generated tracks are not
used as unrelated music: the builtin generator's tracks of one genre share loops, which the
index rightly finds). Queries are 10-s excerpts, clean and degraded; recall@1 counts a query
whose best match is its own recording at or above the service's threshold; every search runs
at all ROBUST_VARIANTS, as the service does. A full-scan bit-error-rate baseline (plain
Chromaprint: slide the query over every recording) runs on the same queries.

Latency at 1k/10k/100k tracks adds synthetic distractors: real fingerprints XORed with a
random 32-bit mask and rotated in time (same bit statistics, no real match), 3 minutes each;
each scale uses the layout the service would choose for it (`layout_for`).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, where bench/c2pa.py would hide
# the c2pa package (provenance.manifests imports it): the repository root goes there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

PACKAGES = ("wesnoth-1.16-music", "lincity-ng-data", "frozen-bubble-data")
SEMITONE = 2 ** (1 / 12)
DEGRADATIONS = {
    "clean": [],
    "noise 10 dB": ["noise", 10],
    "noise 0 dB": ["noise", 0],
    "MP3 64 kbps": ["codec", "libmp3lame", "64k"],
    "gain -9 dB": ["-af", "volume=-9dB"],
    "low-pass 3 kHz": ["-af", "lowpass=f=3000"],
    "tempo +3 %": ["-af", "atempo=1.03"],
    "tempo -3 %": ["-af", "atempo=0.97"],
    "speed +3 %": ["-af", "asetrate=44100*1.03,aresample=44100"],
    "speed -3 %": ["-af", "asetrate=44100*0.97,aresample=44100"],
    "pitch +1 semitone": ["-af", f"asetrate=44100*{SEMITONE},aresample=44100,atempo={1 / SEMITONE}"],
    "pitch -1 semitone": ["-af", f"asetrate=44100/{SEMITONE},aresample=44100,atempo={SEMITONE}"],
}


def fetch_music(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if not list(folder.rglob("*.ogg")):
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=folder, check=True, capture_output=True)
        for deb in folder.glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(deb), str(folder / "x")], check=True)
    return sorted(folder.rglob("*.ogg"))


def duration_of(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip() or 0)


def degraded_excerpt(source: Path | bytes, start: float, how: list, seed: int) -> bytes:
    """10 s from `start`, degraded, as WAV bytes."""
    import numpy as np

    arguments = ["-ss", f"{start:.2f}", "-t", "10"]
    codec = None
    if how and how[0] == "codec":
        codec = how[1:]
    elif how and how[0] != "noise":
        arguments += how
    data_in, source_arg = (source, "pipe:0") if isinstance(source, bytes) else (None, str(source))
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-i",
        source_arg,
        *arguments,
        "-ac",
        "2",
        "-ar",
        "44100",
        "-f",
        "wav",
        "pipe:1",
    ]
    wav = subprocess.run(command, input=data_in, capture_output=True, check=True).stdout
    if codec:
        mp3 = subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-i",
                "pipe:0",
                "-c:a",
                codec[0],
                "-b:a",
                codec[1],
                "-f",
                "mp3",
                "pipe:1",
            ],
            input=wav,
            capture_output=True,
            check=True,
        ).stdout
        return mp3
    if how and how[0] == "noise":
        with wave.open(io.BytesIO(wav)) as reader:
            params, frames = reader.getparams(), reader.readframes(reader.getnframes())
        pcm = np.frombuffer(frames, dtype="<i2").astype(np.float64)
        noise = np.random.default_rng(seed).standard_normal(pcm.shape)
        noise *= np.sqrt((pcm**2).mean() / (noise**2).mean() / 10 ** (how[1] / 10))
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as writer:
            # ffmpeg streaming to a pipe leaves the length unknown in its header: set ours.
            writer.setparams(params._replace(nframes=0))
            writer.writeframes(np.clip(pcm + noise, -32768, 32767).astype("<i2").tobytes())
        return buffer.getvalue()
    return wav


def generated_tracks(count: int, seconds: float) -> list[bytes]:
    from generation.plan import GENRES, make_plan, parse_tags
    from generation.synth import render, trimmed_to, wav_bytes

    genres = list(GENRES)
    tracks = []
    for n in range(count):
        plan = make_plan(
            parse_tags([genres[n % len(genres)]]), master_seed=70_000 + n, take=0, duration_s=seconds
        )
        tracks.append(wav_bytes(trimmed_to(render([plan], noise_seed=n)[0], plan)))
    return tracks


def variants_of(data: bytes) -> dict:
    from similarity.index import fingerprint_variants  # the service's own query variants

    return {variant: print_.values for variant, print_ in fingerprint_variants(data).items()}


def timed_search(index, queries: dict, **kwargs):
    began = time.perf_counter()
    matches = index.search(queries, min_score=0.0, **kwargs)
    return matches, time.perf_counter() - began


class FullScan:
    """The baseline: the plain query slid over every recording, best bit error rate wins."""

    def __init__(self, references: dict[int, object]) -> None:
        import numpy as np

        self.keys = list(references)
        self.values = np.concatenate([references[k] for k in self.keys]).astype(np.uint32)
        self.owner = np.concatenate([np.full(len(references[k]), k) for k in self.keys])

    def best(self, query) -> tuple[int | None, float]:
        import numpy as np

        n = len(query)
        if n == 0 or n > len(self.values):
            return None, 0.0
        rows = np.lib.stride_tricks.sliding_window_view(self.values, n)
        errors = np.bitwise_count(rows ^ query.astype(np.uint32)).sum(axis=1, dtype=np.int64)
        within = self.owner[: len(rows)] == self.owner[n - 1 :]  # windows inside one recording
        errors[~within] = 32 * n
        position = int(errors.argmin())
        return int(self.owner[position]), 1 - errors[position] / (32 * n)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def distractors(sources: list, count: int, items: int, seed: int):
    """`count` synthetic fingerprints of `items` values each (see the module docstring)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for _ in range(count):
        source = sources[int(rng.integers(len(sources)))]
        rotated = np.roll(np.resize(source, items), int(rng.integers(items)))
        yield rotated ^ np.uint32(rng.integers(1, 2**32, dtype=np.uint64))


def measure_scales(references: dict, kept: dict, scale_list: str) -> list[dict]:
    """The catalogue plus synthetic distractors, in the layout the service would choose:
    build time, memory, latency (plain query and all variants) and recall at each size."""
    import faiss

    from similarity.fingerprint import ITEMS_PER_SECOND
    from similarity.index import MIN_SCORE, FingerprintIndex, layout_for

    distractor_items = int(180 * ITEMS_PER_SECOND)
    sample = [v for v in references.values() if len(v) > 200]
    scale_queries = [(k, v) for name in ("clean", "noise 0 dB", "MP3 64 kbps") for k, v in kept[name][:40]]
    pitched = kept["pitch +1 semitone"][:40]
    scales = []
    for tracks_total in (int(n) for n in scale_list.split(",") if n):
        extra = max(0, tracks_total - len(references))
        items = sum(len(v) for v in references.values()) + extra * distractor_items
        layout = layout_for(items)
        began = time.perf_counter()
        faiss.omp_set_num_threads(2)  # building may use both cores; searching uses one
        big = FingerprintIndex(layout)
        big.add_many(
            list(references.items())
            + [
                (1_000_000 + n, values)
                for n, values in enumerate(distractors(sample, extra, distractor_items, seed=7))
            ]
        )
        faiss.omp_set_num_threads(1)
        build_s = time.perf_counter() - began
        timings = {"plain": [], "all variants": []}
        hits = {"plain": 0, "all variants": 0, "pitch +1 semitone": 0}
        for key, variants in scale_queries:
            plain = {(1.0, False): variants[(1.0, False)]}
            for label, asked in (("plain", plain), ("all variants", variants)):
                matches, elapsed = timed_search(big, asked)
                timings[label].append(elapsed)
                hits[label] += bool(matches and matches[0].recording == key and matches[0].score >= MIN_SCORE)
        for key, variants in pitched:
            matches, _ = timed_search(big, variants)
            hits["pitch +1 semitone"] += bool(
                matches and matches[0].recording == key and matches[0].score >= MIN_SCORE
            )
        entry = {
            "tracks": tracks_total,
            "hours": round(items / ITEMS_PER_SECOND / 3600),
            "layout": dataclasses.asdict(layout),
            "windows": big.windows,
            "index_memory_mb": round((big.windows * (64 + 16) + items * 4) / 1e6),
            "build_s": round(build_s, 1),
            "latency_ms": {
                label: {
                    "p50": round(1000 * statistics.median(t), 1),
                    "p99": round(1000 * percentile(t, 0.99), 1),
                }
                for label, t in timings.items()
            },
            "recall@1 (clean, noise 0 dB, MP3 64k)": {
                label: round(hits[label] / len(scale_queries), 3) for label in ("plain", "all variants")
            },
            "recall@1 pitch +1 semitone (all variants)": round(hits["pitch +1 semitone"] / len(pitched), 3),
            "queries": len(scale_queries),
        }
        scales.append(entry)
        print(entry, flush=True)
        del big
        gc.collect()

    return scales


def scales_only(args, references: dict, sources: dict, durations: dict, rng: random.Random) -> None:
    from bench._common import report
    from similarity.fingerprint import AudioError

    kept: dict[str, list] = {}
    for name in ("clean", "noise 0 dB", "MP3 64 kbps", "pitch +1 semitone"):
        for number, key in enumerate(rng.sample(sorted(sources), min(40, len(sources)))):
            start = rng.uniform(3, durations[key] - 12)
            try:
                kept.setdefault(name, []).append(
                    (key, variants_of(degraded_excerpt(sources[key], start, DEGRADATIONS[name], seed=number)))
                )
            except AudioError:
                continue
    scales = measure_scales(references, kept, args.scales)

    def p50_p99(entry: dict, label: str) -> str:
        return f"{entry['latency_ms'][label]['p50']} / {entry['latency_ms'][label]['p99']}"

    rows = [
        {
            "measure": f"query latency p50 / p99 (ms) at {entry['tracks']:,} tracks",
            "plain_query": p50_p99(entry, "plain"),
            "all_7_variants": p50_p99(entry, "all variants"),
            "recall@1": entry["recall@1 (clean, noise 0 dB, MP3 64k)"]["all variants"],
        }
        for entry in scales
    ]
    report(
        "similarity_scale",
        rows,
        command="make bench  (or: .venv/bin/python bench/similarity.py --scales-only)",
        extra={"scales": scales, "catalogue_recordings": len(references)},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=100)
    parser.add_argument("--excerpts", type=int, default=3, help="per catalogued real recording")
    parser.add_argument("--unrelated", type=int, default=12, help="excerpt starts per held-out track")
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument(
        "--music-dir", type=Path, default=Path(tempfile.gettempdir()) / "songproof-bench-music"
    )
    parser.add_argument(
        "--scales-only",
        action="store_true",
        help="only the latency at scale (writes similarity_scale.json), on fresh queries",
    )
    args = parser.parse_args()

    from similarity.fingerprint import AudioError, fingerprint
    from similarity.index import MIN_SCORE, FingerprintIndex

    rng = random.Random(2026)
    tracks = [(p, d) for p in fetch_music(args.music_dir) if (d := duration_of(p)) >= 25]
    rng.shuffle(tracks)
    long = [t for t in tracks if t[1] >= 60]
    short = [t for t in tracks if t[1] < 60]
    catalogued = long[: len(long) // 2]
    rest = long[len(long) // 2 :] + short
    calibration, acceptance = rest[::2], rest[1::2]
    generated = generated_tracks(args.generated, 45.0)

    index, references, fingerprint_seconds, audio_seconds = FingerprintIndex(), {}, 0.0, 0.0
    sources: dict[int, Path | bytes] = {}
    durations: dict[int, float] = {}
    for key, source in enumerate([p for p, _ in catalogued] + generated, start=1):
        began = time.perf_counter()
        print_ = fingerprint(source)
        fingerprint_seconds += time.perf_counter() - began
        audio_seconds += print_.duration_s
        references[key] = print_.values
        sources[key], durations[key] = source, print_.duration_s
    index.add_many(references.items())
    if args.scales_only:
        scales_only(args, references, sources, durations, rng)
        return
    baseline = FullScan(references)
    print(
        f"catalogue: {len(catalogued)} real + {len(generated)} generated, {audio_seconds / 3600:.2f} h",
        flush=True,
    )

    queries = [
        (key, rng.uniform(3, durations[key] - 12))
        for key in sources
        for _ in range(args.excerpts if key <= len(catalogued) else 1)
    ]
    rows, true_scores, latencies, unusable, kept = [], [], [], {}, {}
    for name, how in DEGRADATIONS.items():
        hits = baseline_hits = 0
        for number, (key, start) in enumerate(queries):
            try:
                variants = variants_of(degraded_excerpt(sources[key], start, how, seed=number))
            except AudioError:  # the degraded excerpt came out too short: a miss, said so below
                unusable[name] = unusable.get(name, 0) + 1
                true_scores.append(0.0)
                continue
            if name in ("clean", "noise 0 dB", "MP3 64 kbps", "pitch +1 semitone"):
                kept.setdefault(name, []).append((key, variants))
            matches, elapsed = timed_search(index, variants)
            latencies.append(elapsed)
            best = matches[0] if matches else None
            hits += bool(best and best.recording == key and best.score >= MIN_SCORE)
            true_scores.append(next((m.score for m in matches if m.recording == key), 0.0))
            found, score = baseline.best(variants[(1.0, False)])
            baseline_hits += found == key and score >= MIN_SCORE
        row = {
            "measure": f"recall@1, 10-s excerpts, {name}",
            "value": round(hits / len(queries), 3),
            "baseline_full_scan": round(baseline_hits / len(queries), 3),
            "n": len(queries),
        }
        rows.append(row)
        print(row, flush=True)

    def unrelated_scores(held_out) -> tuple[list[float], list[float]]:
        scores, baseline_scores = [], []
        clips = [
            (path, rng.uniform(3, duration - 12), name, n)
            for path, duration in held_out
            for n in range(args.unrelated)
            for name in ("clean", "noise 10 dB", "MP3 64 kbps")
        ]
        for source, start, name, n in clips:
            try:
                variants = variants_of(degraded_excerpt(source, start, DEGRADATIONS[name], seed=n))
            except AudioError:
                continue
            matches, _ = timed_search(index, variants)
            scores.append(matches[0].score if matches else 0.0)
            baseline_scores.append(baseline.best(variants[(1.0, False)])[1])
        return scores, baseline_scores

    calibration_scores, calibration_baseline = unrelated_scores(calibration)
    # The threshold the calibration set supports: its best unrelated score plus a margin.
    calibrated = round(max(calibration_scores) + 0.02, 2)
    calibrated_baseline = round(max(calibration_baseline) + 0.02, 2)
    acceptance_scores, acceptance_baseline = unrelated_scores(acceptance)
    rows += [
        {
            "measure": "best unrelated score, calibration set",
            "value": max(calibration_scores),
            "baseline_full_scan": round(max(calibration_baseline), 4),
            "n": len(calibration_scores),
        },
        {
            "measure": "threshold supported by calibration (+0.02)",
            "value": calibrated,
            "baseline_full_scan": calibrated_baseline,
            "n": f"service uses {MIN_SCORE}",
        },
        {
            "measure": "false positives, acceptance set, at the service threshold",
            "value": round(sum(s >= MIN_SCORE for s in acceptance_scores) / len(acceptance_scores), 4),
            "baseline_full_scan": round(
                sum(s >= MIN_SCORE for s in acceptance_baseline) / len(acceptance_baseline), 4
            ),
            "n": len(acceptance_scores),
        },
        {
            "measure": "best unrelated score, acceptance set",
            "value": max(acceptance_scores),
            "baseline_full_scan": round(max(acceptance_baseline), 4),
            "n": len(acceptance_scores),
        },
        {
            "measure": "query latency p50 / p99 (ms, 7 variants, this catalogue)",
            "value": [
                round(1000 * statistics.median(latencies), 1),
                round(1000 * percentile(latencies, 0.99), 1),
            ],
            "n": len(latencies),
        },
        {
            "measure": "fingerprinting speed (x real time, incl. decode)",
            "value": round(audio_seconds / fingerprint_seconds),
            "n": len(sources),
        },
        {
            "measure": "index memory per hour of audio (MB, exhaustive layout)",
            "value": round(index.windows * 64 / (audio_seconds / 3600) / 1e6, 2),
            "n": index.windows,
        },
    ]
    for row in rows[-7:]:
        print(row, flush=True)

    scales = measure_scales(references, kept, args.scales)

    from bench._common import report

    columns = ("measure", "value", "baseline_full_scan", "n")
    report(
        "similarity",
        [{column: row.get(column, "") for column in columns} for row in rows],
        command="make bench  (or: .venv/bin/python bench/similarity.py)",
        extra={
            "catalogue": {
                "real_tracks": len(catalogued),
                "generated_tracks": len(generated),
                "hours": round(audio_seconds / 3600, 2),
            },
            "held_out": {
                "calibration_real_tracks": len(calibration),
                "acceptance_real_tracks": len(acceptance),
            },
            "threshold": MIN_SCORE,
            "lowest_true_match_scores": sorted(true_scores)[:10],
            "goals": {
                "recall_clean_noise10_mp3_gain_lowpass_tempo": 0.99,
                "recall_noise0_speed_pitch": 0.95,
                "false_positive_rate": 0.005,
                "p99_ms_at_100k_tracks_one_core": 50,
            },
            "scales": scales,
            "unusable_queries": unusable,
        },
    )


if __name__ == "__main__":
    main()
