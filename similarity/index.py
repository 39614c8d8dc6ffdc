"""A FAISS binary index over overlapping windows of sub-fingerprints, for finding excerpts.

Whole-file lookups (AcoustID's way) miss excerpts; here every window of WINDOW consecutive
sub-fingerprints (512 bits) of every recording is indexed. A query's windows find their
nearest reference windows; each hit votes for (recording, reference offset - query offset);
the best-voted alignments are re-scored by the bit error rate of the whole aligned overlap,
allowing a one-item shift. Score = 1 - BER: unrelated music sits near 0.63-0.67, the same
recording (even noisy, re-encoded or tempo-shifted) well above.

Resampled copies (speed and pitch changed together) defeat Chromaprint, and a time stretch
drifts past the one-item shift the re-scoring allows; `search` takes the query fingerprinted
at several variants (resampled, pitch-shifted, time-stretched) and keeps the best alignment
of each. More variants give chance alignments more tries, so a variant's match must clear the
threshold by VARIANT_MARGIN; a stretch whose sub-fingerprints barely change (a held chord, a
fade), in the query or in the recording, matches other held chords, so its match must clear
it by STATIC_MARGIN.

No Django: the database is the source of truth and rebuilds this index; benchmarks call it.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from similarity.fingerprint import (
    ITEMS_PER_SECOND,
    PLAIN,
    AudioError,
    Fingerprint,
    Variant,
    bit_error_rate,
    decode_variants,
    fingerprint_samples,
)

WINDOW = 16
BITS = WINDOW * 32
QUERY_STRIDE = 2
NEIGHBOURS = 8
MAX_WINDOW_DISTANCE = int(0.35 * BITS)  # a window further than this is no evidence
CANDIDATES = 8
# Provisional, from generated music: true matches (noise at 0 dB, MP3, tempo and pitch
# shifts) scored >= 0.84, the best of 28 unrelated excerpts searched at every speed 0.75.
# The similarity benchmark calibrates them on real recordings.
MIN_SCORE = 0.80
MIN_SCORE_SHORT = 0.84  # queries under SHORT_QUERY_S let more chance alignments through
SHORT_QUERY_S = 5.0
# An alignment that overlaps little of the query (it hangs off a recording's start or end)
# has a noisy BER; it must cover this share of the query to count.
MIN_OVERLAP = 0.6
# Calibrated by bench/similarity.py: the best unrelated match on its calibration set scored
# 0.755 through the plain query and 0.754 through the variants once held chords counted on
# both sides (0.79 before): the threshold (0.80) needs no margin for them. Kept, so that a
# recalibration that needs one has it.
VARIANT_MARGIN = 0.0
# Mean share of bits that change between consecutive sub-fingerprints: 0.13 in the median
# 7-s stretch of real music, 0.076 at its 1st percentile (wesnoth's soundtrack); the held
# final chords that matched each other at 0.85 changed 0.03-0.057.
STATIC_CHANGE = 0.065
STATIC_MARGIN = 0.10
ROBUST_SPEEDS = (1.0, 2 ** (1 / 12), 2 ** (-1 / 12), 2 ** (0.5 / 12), 2 ** (-0.5 / 12))
TEMPO_STRETCH = 1.03
# The plain query first; resampled like a tape at each speed; pitch-shifted by a semitone
# with the tempo kept, for copies whose pitch alone was changed; and time-stretched with the
# pitch kept, for copies whose tempo alone was changed.
ROBUST_VARIANTS = (
    *(Variant(rate=speed) for speed in ROBUST_SPEEDS),
    *(Variant(rate=speed, tempo=1 / speed) for speed in (2 ** (1 / 12), 2 ** (-1 / 12))),
    Variant(tempo=TEMPO_STRETCH),
    Variant(tempo=1 / TEMPO_STRETCH),
)

# Per-query search in a service: more OpenMP threads were 10-60x slower on 2 shared cores.
faiss.omp_set_num_threads(1)


def gpu_count() -> int:
    """GPUs faiss can search on: 0 with faiss-cpu, whose build has no GPU bindings."""
    return faiss.get_num_gpus() if hasattr(faiss, "StandardGpuResources") else 0


_gpu_resources = None


def _on_gpu(index: faiss.IndexBinaryFlat) -> faiss.IndexBinary:
    """A GpuIndexBinaryFlat copy of `index` on GPU 0 (one resources object per process)."""
    global _gpu_resources
    if _gpu_resources is None:
        _gpu_resources = faiss.StandardGpuResources()
    return faiss.index_binary_cpu_to_gpu(_gpu_resources, 0, index)


@dataclass(frozen=True)
class Layout:
    """How windows are indexed and searched.

    Small catalogues index every window and search half the query's windows exhaustively
    (IndexBinaryFlat). A large one indexes every `reference_stride`-th window and searches
    every query window, so each alignment still meets reference windows exactly, through an
    inverted file whose `nlist` centroids are windows drawn from the catalogue (k-means on
    512-bit codes costs more than it gains); `nprobe` lists are searched per window.
    The variants other than the plain query search every `variant_query_stride`-th window.
    """

    reference_stride: int = 1
    query_stride: int = QUERY_STRIDE
    nlist: int = 0  # 0: exhaustive
    nprobe: int = 0
    variant_query_stride: int = QUERY_STRIDE


EXHAUSTIVE = Layout()
# Past this many windows (about 17 hours of audio) the inverted file answers faster (bench/similarity.py).
INVERTED_FROM_WINDOWS = 500_000
INVERTED_REFERENCE_STRIDE = 8
WINDOWS_PER_LIST = 1000
INVERTED_NPROBE = 8
# The eight variants at every other window: at 100k tracks they found the same recordings as
# at every window (320 degraded excerpts) for two thirds of the search time; every third
# window lost a tenth of the pitch- and speed-changed copies (bench/similarity.py).
INVERTED_VARIANT_QUERY_STRIDE = 2
QUANTIZER_LINKS = 16
QUANTIZER_EF_SEARCH = 32


def layout_for(windows: int) -> Layout:
    """The layout for a catalogue of `windows` every-item windows (its sub-fingerprints)."""
    if windows < INVERTED_FROM_WINDOWS:
        return EXHAUSTIVE
    indexed = windows // INVERTED_REFERENCE_STRIDE
    nlist = int(min(65_536, max(1024, indexed // WINDOWS_PER_LIST)))
    return Layout(
        reference_stride=INVERTED_REFERENCE_STRIDE,
        query_stride=1,
        nlist=nlist,
        nprobe=INVERTED_NPROBE,
        variant_query_stride=INVERTED_VARIANT_QUERY_STRIDE,
    )


@dataclass(frozen=True)
class Match:
    recording: int
    score: float
    query_start_s: float
    reference_start_s: float
    duration_s: float
    variant: Variant = PLAIN
    margin: float = 0.0  # how far above the threshold this match must score (see the module)

    @property
    def strength(self) -> float:
        """The score less its margin: what thresholds and rankings compare (the score itself
        stays the plain 1 - BER)."""
        return round(self.score - self.margin, 4)


def windows(values: np.ndarray) -> np.ndarray:
    """Every run of WINDOW consecutive sub-fingerprints, as rows of 64 bytes."""
    values = np.ascontiguousarray(values, dtype="<u4")
    if values.size < WINDOW:
        return np.empty((0, BITS // 8), dtype=np.uint8)
    rows = np.lib.stride_tricks.sliding_window_view(values, WINDOW)
    return np.ascontiguousarray(rows).view(np.uint8).reshape(-1, BITS // 8)


class FingerprintIndex:
    def __init__(self, layout: Layout = EXHAUSTIVE, *, device: str = "cpu") -> None:
        self.layout = layout
        self.device = device  # "cuda": exhaustive searches run on a GPU copy (see `_searcher`)
        self._index: faiss.IndexBinary = faiss.IndexBinaryFlat(BITS)
        self._gpu: faiss.IndexBinary | None = None
        self._owner = np.empty(0, dtype=np.int64)  # recording of each indexed window
        self._start = np.empty(0, dtype=np.int64)  # its first item in that recording
        self._values: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._values)

    @property
    def windows(self) -> int:
        return self._index.ntotal

    @property
    def items(self) -> int:
        return sum(len(v) for v in self._values.values())

    def __contains__(self, recording: int) -> bool:
        return recording in self._values

    def add(self, recording: int, values: np.ndarray) -> None:
        """Index a recording's sub-fingerprints; adding the same recording twice does nothing."""
        self.add_many([(recording, values)])

    def add_many(self, recordings: Iterable[tuple[int, np.ndarray]]) -> None:
        """Index many recordings at once (one FAISS add, one concatenation of the maps)."""
        rows, owners, starts = [], [self._owner], [self._start]
        stride = self.layout.reference_stride
        for recording, values in recordings:
            if recording in self._values:
                continue
            values = np.asarray(values, dtype=np.uint32)
            self._values[recording] = values
            found = windows(values)[::stride]
            rows.append(found)
            owners.append(np.full(len(found), recording, dtype=np.int64))
            starts.append(np.arange(len(found), dtype=np.int64) * stride)
        if not rows or not sum(len(r) for r in rows):
            return
        rows = np.concatenate(rows)
        if self.layout.nlist and isinstance(self._index, faiss.IndexBinaryFlat):
            self._index = self._inverted(rows)
        self._index.add(rows)
        self._gpu = None  # copied again on the next search
        self._owner, self._start = np.concatenate(owners), np.concatenate(starts)

    def relaid(self, layout: Layout) -> FingerprintIndex:
        """The same recordings in another layout."""
        index = FingerprintIndex(layout, device=self.device)
        index.add_many(self._values.items())
        return index

    def _inverted(self, rows: np.ndarray) -> faiss.IndexBinaryIVF:
        """An inverted file over centroids drawn from `rows`, found through a small HNSW graph
        (a flat scan of thousands of centroids would cost more than the lists themselves)."""
        quantizer = faiss.IndexBinaryHNSW(BITS, QUANTIZER_LINKS)
        quantizer.hnsw.efSearch = QUANTIZER_EF_SEARCH
        pick = np.random.default_rng(0).choice(
            len(rows), size=min(self.layout.nlist, len(rows)), replace=False
        )
        quantizer.add(rows[np.sort(pick)])
        index = faiss.IndexBinaryIVF(quantizer, BITS, quantizer.ntotal)
        index.own_fields = True
        quantizer.this.disown()
        index.is_trained = True
        index.nprobe = self.layout.nprobe
        return index

    def search(
        self, variants: dict[Variant, np.ndarray], *, limit: int = 5, min_score: float | None = None
    ) -> list[Match]:
        """Matches for a query, strongest first. `variants` maps each Variant to the query
        fingerprinted that way ({PLAIN: values} for a plain search)."""
        best: dict[int, Match] = {}
        for variant, query in variants.items():
            for match in self._search_one(np.asarray(query, dtype=np.uint32), variant):
                if match.recording not in best or match.strength > best[match.recording].strength:
                    best[match.recording] = match
        duration = max((len(q) for q in variants.values()), default=0) / ITEMS_PER_SECOND
        threshold = (
            min_score
            if min_score is not None
            else (MIN_SCORE_SHORT if duration < SHORT_QUERY_S else MIN_SCORE)
        )
        found = sorted((m for m in best.values() if m.strength >= threshold), key=lambda m: -m.strength)
        return found[:limit]

    def _search_one(self, query: np.ndarray, variant: Variant) -> list[Match]:
        step = self.layout.query_stride if variant == PLAIN else self.layout.variant_query_stride
        rows = windows(query)[::step]
        if not rows.size or not self._index.ntotal:
            return []
        distances, ids = self._searcher().search(rows, min(NEIGHBOURS, self._index.ntotal))
        scored = [
            self._scored(query, recording, offset, variant)
            for recording, offset in self._most_voted(distances, ids, step)
        ]
        return [m for m in scored if m.duration_s * ITEMS_PER_SECOND >= MIN_OVERLAP * len(query)]

    def _most_voted(self, distances: np.ndarray, ids: np.ndarray, step: int) -> list[tuple[int, int]]:
        """The CANDIDATES (recording, offset) alignments the near neighbours vote for most,
        ties in the order they were first voted for (query window by window)."""
        near = (distances <= MAX_WINDOW_DISTANCE) & (ids >= 0)
        rows, _ = np.nonzero(near)  # row by row, as ids[near] lists them
        found = ids[near]
        if not found.size:
            return []
        recordings, offsets = self._owner[found], self._start[found] - rows * step
        grouped = np.lexsort((offsets, recordings))
        recordings, offsets = recordings[grouped], offsets[grouped]
        changes = (recordings[1:] != recordings[:-1]) | (offsets[1:] != offsets[:-1])
        starts = np.concatenate(([0], np.flatnonzero(changes) + 1))
        counts = np.diff(starts, append=len(grouped))
        first = np.minimum.reduceat(grouped, starts)  # each alignment's first vote
        best = starts[np.lexsort((first, -counts))[:CANDIDATES]]
        return list(zip(recordings[best].tolist(), offsets[best].tolist(), strict=True))

    def _searcher(self) -> faiss.IndexBinary:
        """The index searches run on: on "cuda", a GPU copy of an exhaustive index (faiss has
        no GPU binary inverted file, so the inverted layout stays on the CPU)."""
        if self.device != "cuda" or not isinstance(self._index, faiss.IndexBinaryFlat):
            return self._index
        if self._gpu is None:
            self._gpu = _on_gpu(self._index)
        return self._gpu

    def _scored(self, query: np.ndarray, recording: int, offset: int, variant: Variant) -> Match:
        reference = self._values[recording]
        best_ber, best_offset, best_overlap = 1.0, offset, 0
        for shift in (offset - 1, offset, offset + 1):
            q_start, r_start = max(0, -shift), max(0, shift)
            overlap = min(len(query) - q_start, len(reference) - r_start)
            if overlap <= 0:
                continue
            ber = bit_error_rate(query[q_start : q_start + overlap], reference[r_start : r_start + overlap])
            if ber < best_ber:
                best_ber, best_offset, best_overlap = ber, shift, overlap
        q_start, r_start = max(0, -best_offset), max(0, best_offset)
        margin = 0.0 if variant == PLAIN else VARIANT_MARGIN
        # As informative as its less changing side: a held chord in the recording matches
        # any query that holds a similar chord.
        changing = min(
            change_rate(query[q_start : q_start + best_overlap]),
            change_rate(reference[r_start : r_start + best_overlap]),
        )
        if changing < STATIC_CHANGE:
            margin += STATIC_MARGIN
        return Match(
            recording=recording,
            score=round(1 - best_ber, 4),
            query_start_s=round(q_start / ITEMS_PER_SECOND * variant.time_scale, 2),
            reference_start_s=round(r_start / ITEMS_PER_SECOND, 2),
            duration_s=round(best_overlap / ITEMS_PER_SECOND, 2),
            variant=variant,
            margin=margin,
        )

    def save(self, path: Path) -> None:
        """The index and its maps in one file, written beside the target then renamed."""
        path = Path(path)
        recordings = np.array(sorted(self._values), dtype=np.int64)
        lengths = np.array([len(self._values[r]) for r in recordings], dtype=np.int64)
        values = (
            np.concatenate([self._values[r] for r in recordings])
            if len(recordings)
            else np.empty(0, np.uint32)
        )
        buffer = io.BytesIO()
        np.savez(
            buffer,
            index=faiss.serialize_index_binary(self._index),
            owner=self._owner,
            start=self._start,
            recordings=recordings,
            lengths=lengths,
            values=values,
            layout=np.array(dataclasses.astuple(self.layout), dtype=np.int64),
        )
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(buffer.getvalue())
        partial.replace(path)

    @classmethod
    def load(cls, path: Path, *, device: str = "cpu") -> FingerprintIndex:
        with np.load(Path(path)) as data:
            layout = Layout(*(int(v) for v in data["layout"])) if "layout" in data else EXHAUSTIVE
            loaded = cls(layout, device=device)
            loaded._index = faiss.deserialize_index_binary(data["index"])
            if isinstance(loaded._index, faiss.IndexBinaryIVF):
                loaded._index.nprobe = loaded.layout.nprobe
            loaded._owner, loaded._start = data["owner"], data["start"]
            # Each `data[name]` reads the array from the file again: once each, not per recording.
            values, lengths = data["values"], data["lengths"]
            starts = np.cumsum(lengths) - lengths
            for recording, start, length in zip(data["recordings"], starts, lengths, strict=True):
                loaded._values[int(recording)] = values[start : start + length]
        return loaded


def change_rate(values: np.ndarray) -> float:
    """Mean share of bits that change from one sub-fingerprint to the next."""
    if len(values) < 2:
        return 0.0
    return bit_error_rate(values[1:], values[:-1])


def fingerprint_variants(data: bytes) -> dict[Variant, Fingerprint]:
    """The query as heard plainly (its errors are the caller's), and every variant that can be
    fingerprinted (a variant of a query near the minimum length may fall short: skipped)."""
    decoded = decode_variants(data, ROBUST_VARIANTS)
    variants = {PLAIN: fingerprint_samples(decoded[PLAIN])}
    for variant in ROBUST_VARIANTS[1:]:
        try:
            variants[variant] = fingerprint_samples(decoded[variant])
        except AudioError:
            continue
    return variants
