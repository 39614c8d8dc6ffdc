"""Similarity engine accuracy and speed on real recorded music (fetched at run time).

    .venv/bin/python bench/similarity.py [--generated 100] [--excerpts 3] [--scales 1000,10000,100000]

Real music comes from Debian packages (wesnoth-1.16-music, lincity-ng-data,
frozen-bubble-data, warzone2100-music), downloaded with `apt-get download` into a scratch
folder and never committed. Tracks of the first three are split three ways: half of those of
60 s or more go into the catalogue with distinct tracks from the builtin generator; the rest
are held out, split into a calibration set and an acceptance set that is only ever queried.
warzone2100-music is a second acceptance set from a package no tuning ever looked at
(generated tracks are not used as unrelated music: the builtin generator's tracks of one
genre share loops, which the index rightly finds). Queries are 10-s excerpts, clean and
degraded; recall@1 counts a query whose strongest match is its own recording at or above the
service's threshold; every search runs at all ROBUST_VARIANTS, as the service does. A
full-scan bit-error-rate baseline (plain Chromaprint: slide the query over every recording)
runs on the same queries.

Each query's scores are kept (plain query and variants apart) in a scratch JSON file, so the
thresholds the calibration set supports can be applied to the same run: `--evaluate FILE`
reports from that file without searching again.

Latency at 1k/10k/100k tracks adds synthetic distractors: real fingerprints XORed with a
random 32-bit mask and rotated in time (same bit statistics, no real match), 3 minutes each;
each scale uses the layout the service would choose for it (`layout_for`).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import json
import pickle
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
FRESH_PACKAGES = ("warzone2100-music",)  # acceptance only: never looked at while tuning
WORKERS = 2  # processes preparing query fingerprints (ffmpeg + Chromaprint)
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


def fetch_music(folder: Path, packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if not list(folder.glob("x/**/*.ogg")) + list(folder.glob("x/**/*.opus")):
        subprocess.run(["apt-get", "download", *packages], cwd=folder, check=True, capture_output=True)
        for deb in folder.glob("*.deb"):
            subprocess.run(["dpkg", "-x", str(deb), str(folder / "x")], check=True)
    return sorted([*folder.glob("x/**/*.ogg"), *folder.glob("x/**/*.opus")])


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

    arguments = ["-t", "10"]
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
        "-ss",  # before -i: seek in the input rather than decode everything before `start`
        f"{start:.2f}",
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


def _query_prints(job: tuple) -> dict | None:
    """One degraded excerpt's fingerprints at every variant (None: too short to fingerprint)."""
    from similarity.fingerprint import AudioError

    source, start, how, seed = job
    try:
        return variants_of(degraded_excerpt(source, start, how, seed=seed))
    except AudioError:
        return None


def query_prints(jobs: list[tuple]) -> list[dict | None]:
    """`_query_prints` for every job, on WORKERS processes (ffmpeg dominates)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(WORKERS) as pool:
        return list(pool.map(_query_prints, jobs, chunksize=4))


def timed_search(index, queries: dict, **kwargs):
    """The service's search: its matches, wall seconds and this thread's CPU seconds (the
    one-core figure, which other work on a shared machine does not inflate)."""
    began, began_cpu = time.perf_counter(), time.thread_time()
    matches = index.search(queries, min_score=0.0, **kwargs)
    return matches, time.perf_counter() - began, time.thread_time() - began_cpu


def scores(index, variants: dict) -> dict:
    """Best score per recording of the plain query and of the other variants, apart, less
    any margin but the variants' (which `strongest` applies, to try the calibrated one)."""
    from similarity.fingerprint import PLAIN
    from similarity.index import VARIANT_MARGIN

    others = {v: q for v, q in variants.items() if v != PLAIN}
    return {
        side: {
            str(m.recording): round(m.strength + (VARIANT_MARGIN if side == "variant" else 0.0), 4)
            for m in index.search(asked, min_score=0.0, limit=10)
        }
        for side, asked in (("plain", {PLAIN: variants[PLAIN]}), ("variant", others))
    }


def strongest(searched: dict, margin: float) -> tuple[int | None, float]:
    """The recording a search would rank first, with its strength, had variants `margin`."""
    plain, variant = searched["plain"], searched["variant"]
    strengths = {r: max(plain.get(r, 0.0), variant.get(r, 0.0) - margin) for r in plain | variant}
    if not strengths:
        return None, 0.0
    best = max(strengths, key=strengths.get)
    return int(best), strengths[best]


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


# Timed at scale, as the likeliest queries: copies of the music as it was.
TIMED_AT_SCALE = ("clean", "noise 0 dB", "MP3 64 kbps")
# Searched at scale for recall only: what the variants are for.
CHANGED_AT_SCALE = (
    "pitch +1 semitone",
    "pitch -1 semitone",
    "speed +3 %",
    "speed -3 %",
    "tempo +3 %",
    "tempo -3 %",
)
WARM_UP_QUERIES = 5  # searched before the timed ones, not timed


def measure_scales(references: dict, kept: dict, scale_list: str) -> list[dict]:
    """The catalogue plus synthetic distractors, in the layout the service would choose:
    build time, memory, latency (plain query and all variants) and recall at each size."""
    import faiss

    from similarity.fingerprint import ITEMS_PER_SECOND, PLAIN
    from similarity.index import MIN_SCORE, FingerprintIndex, layout_for

    distractor_items = int(180 * ITEMS_PER_SECOND)
    sample = [v for v in references.values() if len(v) > 200]
    scale_queries = [(k, v) for name in TIMED_AT_SCALE for k, v in kept[name][:40]]
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
        for _, variants in scale_queries[:WARM_UP_QUERIES]:  # a service's index has served before
            big.search(variants)
        timings = {"plain": [], "all variants": []}
        cpu = {"plain": [], "all variants": []}
        hits = {"plain": 0, "all variants": 0}
        for key, variants in scale_queries:
            plain = {PLAIN: variants[PLAIN]}
            for label, asked in (("plain", plain), ("all variants", variants)):
                matches, elapsed, elapsed_cpu = timed_search(big, asked)
                timings[label].append(elapsed)
                cpu[label].append(elapsed_cpu)
                hits[label] += bool(
                    matches and matches[0].recording == key and matches[0].strength >= MIN_SCORE
                )
        changed = {}
        for name in CHANGED_AT_SCALE:
            found = [
                (matches := timed_search(big, variants)[0])
                and matches[0].recording == key
                and matches[0].strength >= MIN_SCORE
                for key, variants in kept[name][:40]
            ]
            changed[name] = round(sum(found) / len(found), 3)
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
            "cpu_ms": {
                label: {
                    "p50": round(1000 * statistics.median(t), 1),
                    "p99": round(1000 * percentile(t, 0.99), 1),
                }
                for label, t in cpu.items()
            },
            "recall@1 (clean, noise 0 dB, MP3 64k)": {
                label: round(hits[label] / len(scale_queries), 3) for label in ("plain", "all variants")
            },
            "recall@1 changed copies (all variants)": changed,
            "queries": len(scale_queries),
        }
        scales.append(entry)
        print(entry, flush=True)
        del big
        gc.collect()

    return scales


def scales_only(args, references: dict, sources: dict, durations: dict, rng: random.Random) -> None:
    from bench._common import report
    from similarity.index import ROBUST_VARIANTS

    jobs = {
        name: [
            (key, (sources[key], rng.uniform(3, durations[key] - 12), DEGRADATIONS[name], number))
            for number, key in enumerate(rng.sample(sorted(sources), min(40, len(sources))))
        ]
        for name in TIMED_AT_SCALE + CHANGED_AT_SCALE
    }
    kept = {
        name: [
            (key, prints)
            for (key, _), prints in zip(listed, query_prints([job for _, job in listed]), strict=True)
            if prints is not None
        ]
        for name, listed in jobs.items()
    }
    scales = measure_scales(references, kept, args.scales)

    def p50_p99(entry: dict, measure: str, label: str) -> str:
        return f"{entry[measure][label]['p50']} / {entry[measure][label]['p99']}"

    rows = [
        {
            "measure": f"query p50 / p99 (ms) at {entry['tracks']:,} tracks",
            "plain_cpu": p50_p99(entry, "cpu_ms", "plain"),
            f"all_{len(ROBUST_VARIANTS)}_variants_cpu": p50_p99(entry, "cpu_ms", "all variants"),
            f"all_{len(ROBUST_VARIANTS)}_variants_wall": p50_p99(entry, "latency_ms", "all variants"),
            "recall@1": entry["recall@1 (clean, noise 0 dB, MP3 64k)"]["all variants"],
            "recall@1_changed_lowest": min(entry["recall@1 changed copies (all variants)"].values()),
        }
        for entry in scales
    ]
    report(
        "similarity_scale",
        rows,
        command="make bench  (or: .venv/bin/python bench/similarity.py --scales-only)",
        extra={"scales": scales, "catalogue_recordings": len(references), "variants": len(ROBUST_VARIANTS)},
    )


def searched_queries(
    index, baseline, jobs: list[tuple[int | None, tuple]], cache: dict, label: str
) -> tuple[list, list, list]:
    """Every job's scores (see `scores`) with the baseline's best, the queries' fingerprints
    and the service search's wall and CPU seconds per query. The fingerprints are kept in
    `cache` under `label` (a later run with the same arguments skips ffmpeg)."""
    from similarity.fingerprint import PLAIN

    if label not in cache:
        cache[label] = query_prints([job for _, job in jobs])
    results, kept, timings = [], [], []
    for (key, _), prints in zip(jobs, cache[label], strict=True):
        if prints is None:  # the degraded excerpt came out too short: a miss, said so
            results.append(None)
            kept.append(None)
            continue
        _, wall, cpu = timed_search(index, prints)
        timings.append((wall, cpu))
        found, score = baseline.best(prints[PLAIN])
        results.append({"key": key, **scores(index, prints), "baseline": [found, round(float(score), 4)]})
        kept.append((key, prints))
    return results, kept, timings


def evaluate(raw: dict, threshold: float, margin: float) -> list[dict]:
    """The report's rows from a run's scores, at the service's threshold and variant margin."""

    def hit(searched: dict | None) -> tuple[bool, bool, bool]:
        """(ranked first, found at any rank, the baseline ranked it first), at the threshold."""
        if searched is None:
            return False, False, False
        found, strength = strongest(searched, margin)
        base_found, base_score = searched["baseline"]
        key = searched["key"]
        own = max(searched["plain"].get(str(key), 0.0), searched["variant"].get(str(key), 0.0) - margin)
        return (
            found == key and strength >= threshold,
            own >= threshold,
            base_found == key and base_score >= threshold,
        )

    def share(flags: list[bool]) -> float:
        return round(sum(flags) / len(flags), 3)

    real = raw["catalogue"]["real_tracks"]  # keys 1..real are the real recordings
    rows = []
    for name, results in raw["recall"].items():
        hits = [hit(r) for r in results]
        real_hits = [hit(r) for r in results if r is not None and r["key"] <= real]
        rows.append(
            {
                "measure": f"recall@1, 10-s excerpts, {name}",
                "value": share([h for h, _, _ in hits]),
                "real_recordings": share([h for h, _, _ in real_hits]),
                "own_found_at_any_rank": share([a for _, a, _ in hits]),
                "baseline_full_scan": share([b for _, _, b in hits]),
                "n": len(hits),
            }
        )

    def best_unrelated(results: list, side: str) -> float:
        return max((max(r[side].values(), default=0.0) for r in results if r), default=0.0)

    calibration = [r for r in raw["calibration"] if r]
    plain_max, variant_max = best_unrelated(calibration, "plain"), best_unrelated(calibration, "variant")
    supported = round(plain_max + 0.02, 2)
    supported_margin = max(0.0, round(variant_max + 0.02 - max(supported, threshold), 2))
    baseline_max = max(r["baseline"][1] for r in calibration)
    rows += [
        {
            "measure": "best unrelated score, calibration set (plain query / variants)",
            "value": [plain_max, variant_max],
            "baseline_full_scan": baseline_max,
            "n": len(calibration),
        },
        {
            "measure": "threshold and variant margin supported by calibration (+0.02)",
            "value": [supported, supported_margin],
            "baseline_full_scan": round(baseline_max + 0.02, 2),
            "n": f"service uses {threshold} and {margin}",
        },
    ]
    for label, results in (("acceptance set", raw["acceptance"]), ("fresh package", raw["fresh"])):
        results = [r for r in results if r]
        strengths = [strongest(r, margin)[1] for r in results]
        rows.append(
            {
                "measure": f"false positives, {label}, at the service threshold",
                "value": round(sum(s >= threshold for s in strengths) / len(strengths), 4),
                "baseline_full_scan": round(
                    sum(r["baseline"][1] >= threshold for r in results) / len(results), 4
                ),
                "n": len(results),
            }
        )
        rows.append(
            {
                "measure": f"strongest unrelated match, {label}",
                "value": round(max(strengths), 4),
                "baseline_full_scan": round(max(r["baseline"][1] for r in results), 4),
                "n": len(results),
            }
        )
    wall = [w for w, _ in raw["timings"]]
    cpu = [c for _, c in raw["timings"]]
    rows += [
        {
            "measure": f"query p50 / p99 (ms, {raw['variants']} variants, this catalogue): CPU; wall",
            "value": [
                round(1000 * statistics.median(cpu), 1),
                round(1000 * percentile(cpu, 0.99), 1),
                round(1000 * statistics.median(wall), 1),
                round(1000 * percentile(wall, 0.99), 1),
            ],
            "n": len(cpu),
        },
        {
            "measure": "fingerprinting speed (x real time, incl. decode)",
            "value": raw["fingerprint_x_realtime"],
            "n": raw["catalogue"]["real_tracks"] + raw["catalogue"]["generated_tracks"],
        },
        {
            "measure": "index memory per hour of audio (MB, exhaustive layout)",
            "value": raw["index_mb_per_hour"],
            "n": raw["index_windows"],
        },
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=100)
    parser.add_argument("--excerpts", type=int, default=3, help="per catalogued real recording")
    parser.add_argument("--unrelated", type=int, default=12, help="excerpt starts per held-out track")
    parser.add_argument("--fresh-unrelated", type=int, default=8, help="excerpt starts per fresh track")
    parser.add_argument("--scales", default="1000,10000,100000")
    parser.add_argument(
        "--music-dir", type=Path, default=Path(tempfile.gettempdir()) / "songproof-bench-music"
    )
    parser.add_argument(
        "--scales-only",
        action="store_true",
        help="only the latency at scale (writes similarity_scale.json), on fresh queries",
    )
    parser.add_argument(
        "--raw", type=Path, default=Path(tempfile.gettempdir()) / "songproof-similarity-scores.json"
    )
    parser.add_argument("--evaluate", action="store_true", help="report from --raw without searching")
    parser.add_argument(
        "--prints-cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "songproof-similarity-prints.pickle",
        help="query fingerprints of an earlier run with the same arguments (skips ffmpeg)",
    )
    args = parser.parse_args()

    from bench._common import report
    from similarity.index import MIN_SCORE, ROBUST_VARIANTS, VARIANT_MARGIN

    if args.evaluate:
        raw = json.loads(args.raw.read_text())
    else:
        raw = run(args)
        if raw is None:
            return
        args.raw.write_text(json.dumps(raw))
    rows = evaluate(raw, MIN_SCORE, VARIANT_MARGIN)
    for row in rows:
        print(row, flush=True)
    columns = ("measure", "value", "real_recordings", "own_found_at_any_rank", "baseline_full_scan", "n")
    report(
        "similarity",
        [{column: row.get(column, "") for column in columns} for row in rows],
        command=raw["command"],
        extra={
            "catalogue": raw["catalogue"],
            "held_out": raw["held_out"],
            "threshold": MIN_SCORE,
            "variant_margin": VARIANT_MARGIN,
            "variants": [dataclasses.asdict(v) for v in ROBUST_VARIANTS],
            "lowest_true_match_scores": sorted(
                strongest(r, VARIANT_MARGIN)[1] if r else 0.0
                for results in raw["recall"].values()
                for r in results
            )[:10],
            "goals": {
                "recall_clean_noise10_mp3_gain_lowpass_tempo": 0.99,
                "recall_noise0_speed_pitch": 0.95,
                "false_positive_rate": 0.005,
                "p99_ms_at_100k_tracks_one_core": 50,
            },
            "scales": raw["scales"],
            "unusable_queries": {
                name: sum(r is None for r in results) for name, results in raw["recall"].items()
            },
        },
    )


def run(args) -> dict | None:
    """Build the catalogue, search every query; the scores and figures `evaluate` reads."""
    from similarity.fingerprint import fingerprint
    from similarity.index import ROBUST_VARIANTS, FingerprintIndex

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
        return None
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
    signature = [args.generated, args.excerpts, args.unrelated, args.fresh_unrelated]
    cached = args.prints_cache.exists()
    cache = pickle.loads(args.prints_cache.read_bytes()) if cached else {}  # noqa: S301  (its own scratch file)
    if cache.get("arguments") != signature:
        cache = {"arguments": signature}
    recall, timings, kept = {}, [], {}
    for name, how in DEGRADATIONS.items():
        jobs = [(key, (sources[key], start, how, number)) for number, (key, start) in enumerate(queries)]
        recall[name], prints, spent = searched_queries(index, baseline, jobs, cache, name)
        timings += spent
        if name in TIMED_AT_SCALE + CHANGED_AT_SCALE:
            kept[name] = [p for p in prints if p is not None]
        print(name, "searched", flush=True)

    def unrelated(held_out: list, starts: int, label: str) -> list:
        jobs = [
            (None, (path, rng.uniform(3, duration - 12), DEGRADATIONS[name], n))
            for path, duration in held_out
            for n in range(starts)
            for name in ("clean", "noise 10 dB", "MP3 64 kbps")
        ]
        return searched_queries(index, baseline, jobs, cache, label)[0]

    fresh = [
        (p, d) for p in fetch_music(args.music_dir / "fresh", FRESH_PACKAGES) if (d := duration_of(p)) >= 25
    ]
    raw = {
        "command": "make bench  (or: .venv/bin/python bench/similarity.py "
        f"--generated {args.generated} --excerpts {args.excerpts} --unrelated {args.unrelated} "
        f"--fresh-unrelated {args.fresh_unrelated} --scales '{args.scales}')",
        "recall": recall,
        "calibration": unrelated(calibration, args.unrelated, "calibration"),
        "acceptance": unrelated(acceptance, args.unrelated, "acceptance"),
        "fresh": unrelated(fresh, args.fresh_unrelated, "fresh"),
        "timings": timings,
        "variants": len(ROBUST_VARIANTS),
        "catalogue": {
            "real_tracks": len(catalogued),
            "generated_tracks": len(generated),
            "hours": round(audio_seconds / 3600, 2),
        },
        "held_out": {
            "calibration_real_tracks": len(calibration),
            "acceptance_real_tracks": len(acceptance),
            "fresh_real_tracks": len(fresh),
            "fresh_packages": list(FRESH_PACKAGES),
        },
        "fingerprint_x_realtime": round(audio_seconds / fingerprint_seconds),
        "index_mb_per_hour": round(index.windows * 64 / (audio_seconds / 3600) / 1e6, 2),
        "index_windows": index.windows,
    }
    args.prints_cache.write_bytes(pickle.dumps(cache))
    raw["scales"] = measure_scales(references, kept, args.scales)
    return raw


if __name__ == "__main__":
    main()
