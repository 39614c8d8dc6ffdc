"""Output checks: a new take against every catalogue, judged by a policy (allow/flag/block).

No Django: the generation service calls `check_take` with the take's audio and the indexes,
and records the verdict with the take.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from similarity.fingerprint import AudioError, Variant, fingerprint_samples, samples_from_audio
from similarity.index import ROBUST_SPEEDS, FingerprintIndex, Match


@dataclass(frozen=True)
class Policy:
    """How much matched audio makes a take flagged or blocked (seconds, at >= min_score)."""

    flag_seconds: float = 5.0
    block_seconds: float = 15.0
    min_score: float = 0.80

    def as_dict(self) -> dict:
        return asdict(self)

    def verdict_for(self, matched_seconds: float) -> str:
        if matched_seconds >= self.block_seconds:
            return "block"
        return "flag" if matched_seconds >= self.flag_seconds else "allow"


@dataclass(frozen=True)
class CheckResult:
    verdict: str  # allow | flag | block
    matched_seconds: float
    matches: list[Match]
    catalogues: int
    note: str = ""
    policy: Policy = Policy()  # the one it was judged by (and recorded with)


def check_take(audio: np.ndarray, rate: int, indexes: list[FingerprintIndex], policy: Policy) -> CheckResult:
    if not indexes:
        return CheckResult("allow", 0.0, [], 0, "no catalogue to check against", policy)
    try:
        queries = {
            Variant(rate=s): fingerprint_samples(samples_from_audio(audio, rate, speed=s)).values
            for s in ROBUST_SPEEDS
        }
    except AudioError as exc:
        # Too short or silent to fingerprint: nothing can have been copied into it that a
        # fingerprint could show; said in the record rather than hidden.
        return CheckResult("allow", 0.0, [], len(indexes), f"not checkable: {exc}", policy)
    matches = [m for index in indexes for m in index.search(queries, min_score=policy.min_score, limit=20)]
    matched = max((m.duration_s for m in matches), default=0.0)
    ranked = sorted(matches, key=lambda m: -m.strength)
    return CheckResult(policy.verdict_for(matched), matched, ranked, len(indexes), policy=policy)
