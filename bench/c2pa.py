"""C2PA labels: what signing and verifying cost, and how often a stripped copy is found again.

    .venv/bin/python bench/c2pa.py [--exports 100] [--never 50] [--repeats 3] [--workers CPUS]

1. Signing (AIGC label into the container + C2PA manifest) and verification (read + validate
   against the trust anchor) of a 3-minute 44.1 kHz stereo WAV, FLAC and MP3 of the builtin
   generator, each also as a ratio to writing that file without a manifest (encode only).
2. Soft-binding recovery: --exports generated tracks of 30-60 s are exported as the service
   does (fingerprint of the rendered audio, FLAC, labelled and signed) and their fingerprints
   indexed in a FingerprintIndex as the exports index does; each signed file is re-encoded to
   MP3 at 128 and 64 kbps (which drops the manifest) and looked up as /api/verify/ looks a
   stripped file up (plain fingerprint, SOFT_BINDING_MIN_SCORE): correct top-1 counts.
   --never tracks that were never exported are looked up too: any match is a false recovery.

No database: the plain modules the service uses, with a throwaway local PKI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and its name would hide the
# c2pa package: put the repository root there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]
KEK = bytes(range(32))
BITRATES = ("128k", "64k")
_state: dict = {}


def _setup(pki_dir: str) -> None:
    """Per process (c2pa objects are not fork-safe): credentials, anchors, a label key."""
    import torch
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from provenance import manifests, pki

    torch.set_num_threads(1)
    paths = pki.PkiPaths.in_folder(Path(pki_dir))
    _state["credentials"] = manifests.SigningCredentials(
        chain_pem=paths.chain.read_bytes(),
        cache_key=pki_dir,
        private_key_pem=pki.private_key_pem(paths.key, kek=KEK),
    )
    _state["anchors"] = paths.anchors.read_bytes()
    _state["label_key"] = Ed25519PrivateKey.generate()


def _track(seed: int, seconds: float):
    from generation.plan import GENRES, make_plan, parse_tags
    from generation.synth import render, trimmed_to

    genres = list(GENRES)
    plan = make_plan(parse_tags([genres[seed % len(genres)]]), master_seed=seed, take=0, duration_s=seconds)
    return trimmed_to(render([plan], noise_seed=seed)[0], plan)


def _signed(data: bytes, fmt: str, fingerprint: bytes | None, produce_id: str) -> bytes:
    from provenance import aigc, manifests

    key = _state["label_key"]
    label = aigc.implicit_label(producer="bench.local", produce_id=produce_id, private_key=key)
    claim = manifests.Claim(
        title="bench",
        software_agent={"name": "SongProof builtin", "version": "bench"},
        record={"export": produce_id},
        fingerprint=fingerprint,
        aigc=label,
    )
    return manifests.sign(aigc.embed(data, fmt, label), fmt, claim, _state["credentials"])


def _export_fingerprint(audio) -> bytes:
    """As generation.services._fingerprint_bytes: the rendered audio, in memory."""
    from generation.synth import SAMPLE_RATE
    from similarity.fingerprint import fingerprint_samples, samples_from_audio

    return fingerprint_samples(samples_from_audio(audio.numpy(), SAMPLE_RATE)).values.astype("<u4").tobytes()


def _mp3(data: bytes, bitrate: str) -> bytes:
    command = ["ffmpeg", "-v", "error", "-nostdin", "-i", "pipe:0", "-map_metadata", "-1"]
    command += ["-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3", "pipe:1"]
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def _timed(function, *args):
    began = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - began


def cost_rows(repeats: int) -> list[dict]:
    from generation.audio import encode
    from generation.synth import wav_bytes
    from provenance import manifests

    audio = _track(4242, 180.0)
    seconds = audio.shape[-1] / 44_100
    fingerprint = _export_fingerprint(audio)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("wav", "flac", "mp3"):
            samples = {"encode": [], "sign": [], "verify": []}
            for _ in range(repeats):

                def write(fmt=fmt):
                    data = encode(wav_bytes(audio), fmt)
                    (Path(folder) / f"plain.{fmt}").write_bytes(data)
                    return data

                data, encode_s = _timed(write)
                signed, sign_s = _timed(_signed, data, fmt, fingerprint, "bench-export")
                reading, verify_s = _timed(manifests.read, signed, fmt, _state["anchors"])
                assert reading.state == "trusted", reading.failures
                samples["encode"].append(encode_s)
                samples["sign"].append(sign_s)
                samples["verify"].append(verify_s)
            encode_s, sign_s, verify_s = (statistics.median(samples[k]) for k in ("encode", "sign", "verify"))
            rows.append(
                {
                    "part": "cost",
                    "format": fmt,
                    "audio_s": round(seconds, 1),
                    "bytes": len(data),
                    "manifest_bytes": len(signed) - len(data),
                    "encode_s": round(encode_s, 3),
                    "sign_s": round(sign_s, 3),
                    "verify_s": round(verify_s, 3),
                    "sign_ratio": round(sign_s / encode_s, 3),
                    "verify_ratio": round(verify_s / encode_s, 3),
                }
            )
    return rows


def _exported(seed: int) -> tuple[int, bytes, dict[str, bytes]]:
    """One export as the service makes it, and its stripped MP3 copies."""
    from generation.audio import encode
    from generation.synth import wav_bytes

    audio = _track(seed, 30.0 + (seed * 7) % 31)
    fingerprint = _export_fingerprint(audio)
    signed = _signed(encode(wav_bytes(audio), "flac"), "flac", fingerprint, f"export-{seed}")
    return seed, fingerprint, {rate: _mp3(signed, rate) for rate in BITRATES}


def _never_exported(seed: int) -> tuple[int, bytes]:
    from generation.synth import wav_bytes

    return seed, _mp3(wav_bytes(_track(seed, 30.0 + (seed * 11) % 31)), "128k")


def recovery_rows(exports: int, never: int, workers: int, pki_dir: str) -> list[dict]:
    import numpy as np

    from provenance.manifests import SOFT_BINDING_MIN_SCORE
    from similarity.fingerprint import PLAIN, AudioError, fingerprint
    from similarity.index import FingerprintIndex, layout_for

    with ProcessPoolExecutor(workers, initializer=_setup, initargs=(pki_dir,)) as pool:
        made = list(pool.map(_exported, range(80_000, 80_000 + exports)))
        strangers = list(pool.map(_never_exported, range(95_000, 95_000 + never)))
    prints = [(seed, np.frombuffer(fp, dtype="<u4")) for seed, fp, _ in made]
    index = FingerprintIndex(layout_for(sum(len(v) for _, v in prints)))
    index.add_many(prints)

    def lookup(data: bytes, min_score: float = SOFT_BINDING_MIN_SCORE):
        try:
            matches = index.search({PLAIN: fingerprint(data).values}, limit=5, min_score=min_score)
        except AudioError:
            return None, 0.0
        return (matches[0].recording, matches[0].score) if matches else (None, 0.0)

    rows = []
    for rate in BITRATES:
        found, seconds, scores = 0, [], []
        for seed, _, copies in made:
            (best, score), took = _timed(lookup, copies[rate])
            found += best == seed
            seconds.append(took)
            scores.append(score)
        rows.append(
            {
                "part": "recovery",
                "query": f"stripped MP3 {rate}bps",
                "n": exports,
                "recovered": found,
                "rate": round(found / exports, 4),
                "min_score": min(scores),
                "median_lookup_ms": round(statistics.median(seconds) * 1000, 1),
            }
        )
    # The best score of each never-exported track against any export, at any score.
    nearest = [lookup(data, 0.0)[1] for _, data in strangers]
    false = [score for score in nearest if score >= SOFT_BINDING_MIN_SCORE]
    rows.append(
        {
            "part": "recovery",
            "query": "never exported, MP3 128kbps",
            "n": never,
            "recovered": len(false),
            "rate": round(len(false) / max(never, 1), 4),
            "min_score": None,
            "max_score": max(nearest, default=0.0),
            "median_lookup_ms": None,
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=int, default=100)
    parser.add_argument("--never", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    from bench._common import report
    from provenance import pki

    with tempfile.TemporaryDirectory() as folder:
        pki.pki_create(Path(folder) / "pki", kek=KEK)
        _setup(str(Path(folder) / "pki"))
        rows = cost_rows(args.repeats)
        rows += recovery_rows(args.exports, args.never, args.workers, str(Path(folder) / "pki"))
    columns = list(dict.fromkeys(key for row in rows for key in row))
    rows = [{column: row.get(column, "") for column in columns} for row in rows]
    command = f"bench/c2pa.py --exports {args.exports} --never {args.never} --repeats {args.repeats}"
    report("c2pa", rows, command=command)


if __name__ == "__main__":
    main()
