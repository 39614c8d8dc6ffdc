"""The royalty engine: revenue in integer minor units, split exactly, whatever the input order.

    python -m legal.royalties split INPUT.json        (or - for stdin)
    python -m legal.royalties statement INPUT.json [--format json|csv|html]

A period's revenue is cut into two pools (training, output) by the revenue's pool shares.
The training pool goes to the recordings used in training, pro rata by the licence's basis:
"count" (the usage lines' units; one unit per work used gives every work an equal share) or
"duration" (the milliseconds used). The output pool goes to the recordings that outputs
matched, pro rata by matched milliseconds. A pool with nobody to pay falls back:
- the output pool, when no output matched anything in the period, follows the licence's
  `output_fallback`: "training_pool" (the training pool's distribution) or
  "pro_rata_catalogue" (an equal share per recording of the licensed catalogue);
- the training pool, when nothing was used in training, is shared pro rata over the catalogue.
Each recording's amount is then split master / composition (`master_share`), the composition
part performance / mechanical (`performance_share`), and each right among its holders.

Every split is `allocate`: exact rational shares, the floor of each, the units left over to the
largest fractional remainders, ties to the smaller party id (string order). So each statement
sums to the unit and does not depend on the order of its inputs. Amounts and weights are
integers or Decimals, never floats.

No Django: the legal app calls this, and so do the benchmark and the command line. Errors are
`RoyaltyError` (a stable `code`, a message constant, `detail`); the Django layer turns them
into its `ApplicationError`s (importing that base here would load Celery and Django).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Any, NamedTuple

# ISO 4217 codes with their minor-unit exponent, for the currencies licences are paid in.
CURRENCY_EXPONENTS: dict[str, int] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2,
    "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2,
    "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2,
    "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2,
    "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip

POOLS = ("training", "output")
RIGHTS = ("master", "performance", "mechanical")
SHARE_BASES = ("count", "duration")
OUTPUT_FALLBACKS = ("training_pool", "pro_rata_catalogue")
USAGE_KINDS = ("training", "output")

MESSAGE_NEGATIVE_AMOUNT = "Amounts must be whole numbers of minor units, zero or more."
MESSAGE_UNKNOWN_CURRENCY = "The currency is not an ISO 4217 code this engine knows."
MESSAGE_INVALID_WEIGHT = "A weight must be a decimal string such as 1 or 0.25, zero or more."
MESSAGE_ZERO_WEIGHTS = "The weights are all zero (or there are none): nothing to share by."
MESSAGE_DUPLICATE_PARTY = "A party appears more than once."
MESSAGE_SHARES_NOT_WHOLE = "The shares of a right must add up to exactly 1 (100 %)."
MESSAGE_INVALID_TERMS = "The licence or revenue terms are not valid."
MESSAGE_INVALID_USAGE = "The usage is not valid."
MESSAGE_UNKNOWN_RECORDING = "Usage names recordings that have no rights on file."
MESSAGE_NOTHING_TO_PAY = "There is no recording to pay: the catalogue is empty."
MESSAGE_INVALID_INPUT = "The input is not valid."

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class RoyaltyError(ValueError):
    """A royalty input that cannot be paid out as given: a stable `code`, a message, detail."""

    status = 400

    def __init__(self, code: str, message: str, *, detail: dict[str, Any] | None = None) -> None:
        self.code = code
        self.message = message
        self.detail = detail or {}
        super().__init__(message)

    def __str__(self) -> str:
        # One line whatever the detail holds (a party id may contain a newline).
        extra = json.dumps(self.detail, ensure_ascii=False, default=str) if self.detail else ""
        return f"{self.code}: {self.message}" + (f" {extra}" if extra else "")


Weight = Decimal | int | Fraction | str


def weight_ratio(value: object, *, party: str = "") -> tuple[int, int]:
    """A weight as an exact (numerator, denominator): an int, Decimal, Fraction or decimal
    string, >= 0. Integers only, so splitting a catalogue's rights stays fast."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = Decimal(value.strip())
    if isinstance(value, Decimal) and value.is_finite():
        numerator, denominator = value.as_integer_ratio()
    elif isinstance(value, int | Fraction) and not isinstance(value, bool):
        numerator, denominator = value.numerator, value.denominator
    else:  # floats (and anything else) would make the split depend on binary rounding
        raise RoyaltyError("invalid_weight", MESSAGE_INVALID_WEIGHT, detail={"party": party})
    if numerator < 0:
        raise RoyaltyError("invalid_weight", MESSAGE_INVALID_WEIGHT, detail={"party": party})
    return numerator, denominator


def parse_weight(value: object, *, party: str = "") -> Fraction:
    """A weight as an exact Fraction (see `weight_ratio`)."""
    return Fraction(*weight_ratio(value, party=party))


def check_amount(amount_minor: object) -> int:
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor < 0:
        raise RoyaltyError("invalid_amount", MESSAGE_NEGATIVE_AMOUNT, detail={"amount_minor": amount_minor})
    return amount_minor


def check_currency(currency: object) -> str:
    if not isinstance(currency, str) or currency not in CURRENCY_EXPONENTS:
        raise RoyaltyError("unknown_currency", MESSAGE_UNKNOWN_CURRENCY, detail={"currency": currency})
    return currency


class Split(NamedTuple):
    """Parties in string order with integer weights over one denominator: allocate many times."""

    parties: tuple[str, ...]
    weights: tuple[int, ...]  # each weight times `denominator`
    total: int
    denominator: int  # the weights' common denominator: they sum to 1 when total == denominator

    @classmethod
    def of(cls, weights: Mapping[str, Weight]) -> Split:
        parties = tuple(sorted(weights))
        ratios = [weight_ratio(weights[party], party=party) for party in parties]
        denominator = lcm(*(d for _, d in ratios)) if ratios else 1
        scaled = tuple(n * (denominator // d) for n, d in ratios)
        total = sum(scaled)
        if total == 0:
            raise RoyaltyError("zero_weights", MESSAGE_ZERO_WEIGHTS, detail={"parties": len(parties)})
        return cls(parties, scaled, total, denominator)

    def amounts(self, amount_minor: int) -> list[int]:
        """Each party's units, in `parties` order (the hot path: integers only)."""
        weights, total = self.weights, self.total
        if len(weights) == 1:
            return [amount_minor]
        shares = [amount_minor * weight // total for weight in weights]
        left = amount_minor - sum(shares)
        if left:
            remainders = [amount_minor * weight % total for weight in weights]
            # A stable sort keeps equal remainders in party (string) order, reverse=True too:
            # the tie goes to the smaller id.
            for i in sorted(range(len(shares)), key=remainders.__getitem__, reverse=True)[:left]:
                shares[i] += 1
        return shares


def allocate(amount_minor: int, weights: Mapping[str, Weight]) -> dict[str, int]:
    """Split `amount_minor` units over `weights` exactly (largest remainder, ties to smaller id).

    Each party gets the floor of its exact share, plus one unit if its fractional remainder is
    among the largest; zero weights get 0; the result sums to `amount_minor`, in party order.
    """
    check_amount(amount_minor)
    split = Split.of(weights)
    return dict(zip(split.parties, split.amounts(amount_minor), strict=True))


@dataclass(frozen=True, slots=True)
class RightShare:
    party_id: str
    share: Decimal  # of the right, as a fraction of 1: Decimal("0.5") is 50 %


@dataclass(frozen=True, slots=True)
class RecordingRights:
    """Who owns a recording. `composition` holds the performing-right (PR) shares, writers and
    publishers alike; `mechanical` the MR shares when they differ (None: the same as PR).
    Without composition shares the whole amount is the master's (no separate composition right).
    """

    recording_id: str
    master: list[RightShare]
    composition: list[RightShare] | None = None
    mechanical: list[RightShare] | None = None


@dataclass(frozen=True, slots=True)
class LicenceTerms:
    licence_id: str
    licensee_id: str
    training_share_basis: str = "count"  # "count" | "duration"
    master_share: Decimal = Decimal("0.5")  # the master's part; the composition has the rest
    performance_share: Decimal = Decimal("0.5")  # of the composition part; mechanical the rest
    output_fallback: str = "training_pool"  # "training_pool" | "pro_rata_catalogue"


@dataclass(frozen=True, slots=True)
class UsageLine:
    """One usage report line: a recording used in training, or matched by an output."""

    recording_id: str
    kind: str  # "training" | "output"
    units: int = 1  # training: how many times / works (the "count" basis)
    duration_ms: int = 0  # training: how long was used (the "duration" basis)
    matched_ms: int = 0  # output: how long an output matched the recording

    def __post_init__(self) -> None:
        if self.kind not in USAGE_KINDS:
            raise RoyaltyError("invalid_usage", MESSAGE_INVALID_USAGE, detail={"kind": self.kind})
        for name in ("units", "duration_ms", "matched_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise RoyaltyError("invalid_usage", MESSAGE_INVALID_USAGE, detail={name: value})


@dataclass(frozen=True, slots=True)
class Revenue:
    amount_minor: int
    currency: str
    period: str  # as the licence names it: "2026-Q1", "2026-01-01/2026-03-31"
    training_pool_share: Decimal = Decimal("0.5")
    output_pool_share: Decimal = Decimal("0.5")


class StatementLine(NamedTuple):
    party_id: str
    recording_id: str
    pool: str  # "training" | "output"
    right: str  # "master" | "performance" | "mechanical"
    amount_minor: int


@dataclass
class Statement:
    """Lines ordered by party, recording, then pool and right in POOLS and RIGHTS order;
    lines of zero are left out."""

    licence_id: str
    licensee_id: str
    period: str
    currency: str
    amount_minor: int
    pools: dict[str, int]
    lines: list[StatementLine] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]


def _right_split(recording_id: str, right: str, shares: list[RightShare]) -> Split:
    weights: dict[str, Decimal] = {}
    for share in shares:
        if share.party_id in weights:
            raise RoyaltyError(
                "duplicate_party",
                MESSAGE_DUPLICATE_PARTY,
                detail={"recording_id": recording_id, "right": right, "party": share.party_id},
            )
        weights[share.party_id] = share.share
    split = Split.of(weights)
    if split.total != split.denominator:
        raise RoyaltyError(
            "shares_not_whole",
            MESSAGE_SHARES_NOT_WHOLE,
            detail={"recording_id": recording_id, "right": right},
        )
    return split


def _fraction_of_one(name: str, value: Weight) -> Fraction:
    try:
        result = parse_weight(value, party=name)
    except RoyaltyError:
        result = Fraction(-1)
    if not 0 <= result <= 1:
        raise RoyaltyError("invalid_terms", MESSAGE_INVALID_TERMS, detail={name: str(value)})
    return result


def _check_terms(revenue: Revenue, licence: LicenceTerms) -> None:
    check_amount(revenue.amount_minor)
    check_currency(revenue.currency)
    _fraction_of_one("master_share", licence.master_share)
    _fraction_of_one("performance_share", licence.performance_share)
    if licence.training_share_basis not in SHARE_BASES:
        raise RoyaltyError("invalid_terms", MESSAGE_INVALID_TERMS, detail={"training_share_basis": "?"})
    if licence.output_fallback not in OUTPUT_FALLBACKS:
        raise RoyaltyError("invalid_terms", MESSAGE_INVALID_TERMS, detail={"output_fallback": "?"})


def usage_weights(usage: Iterable[UsageLine], basis: str) -> tuple[dict[str, int], dict[str, int]]:
    """Training and output weights per recording, summed (integers: the hot loop)."""
    training: dict[str, int] = {}
    output: dict[str, int] = {}
    by_duration = basis == "duration"
    for line in usage:
        recording = line.recording_id
        if line.kind == "training":
            training[recording] = training.get(recording, 0) + (
                line.duration_ms if by_duration else line.units
            )
        else:
            output[recording] = output.get(recording, 0) + line.matched_ms
    return (
        {r: w for r, w in training.items() if w},
        {r: w for r, w in output.items() if w},
    )


def _pool_distributions(
    licence: LicenceTerms, catalogue: list[str], training: dict[str, int], output: dict[str, int]
) -> dict[str, dict[str, int]]:
    if not catalogue:
        raise RoyaltyError("nothing_to_pay", MESSAGE_NOTHING_TO_PAY)
    pro_rata = dict.fromkeys(catalogue, 1)
    training = training or pro_rata
    if not output:
        output = training if licence.output_fallback == "training_pool" else pro_rata
    return {"training": training, "output": output}


def statement(
    revenue: Revenue, licence: LicenceTerms, rights: Iterable[RecordingRights], usage: Iterable[UsageLine]
) -> Statement:
    """The statement of one licence's period: every party's lines and total, summing exactly."""
    _check_terms(revenue, licence)
    by_recording: dict[str, RecordingRights] = {}
    for entry in rights:
        if entry.recording_id in by_recording:
            raise RoyaltyError(
                "duplicate_recording", MESSAGE_INVALID_INPUT, detail={"recording_id": entry.recording_id}
            )
        by_recording[entry.recording_id] = entry
    training, output = usage_weights(usage, licence.training_share_basis)
    unknown = sorted((training.keys() | output.keys()) - by_recording.keys())
    if unknown:
        raise RoyaltyError(
            "unknown_recording",
            MESSAGE_UNKNOWN_RECORDING,
            detail={"count": len(unknown), "first": unknown[:5]},
        )
    distributions = _pool_distributions(licence, sorted(by_recording), training, output)
    pools = allocate(
        revenue.amount_minor, {"training": revenue.training_pool_share, "output": revenue.output_pool_share}
    )
    result = Statement(
        licence.licence_id, licence.licensee_id, revenue.period, revenue.currency, revenue.amount_minor, pools
    )
    _fill_lines(result, licence, by_recording, distributions)
    return result


def _fill_lines(
    result: Statement,
    licence: LicenceTerms,
    by_recording: dict[str, RecordingRights],
    distributions: dict[str, dict[str, int]],
) -> None:
    by_pool: dict[str, dict[str, int]] = {}
    for pool in POOLS:
        recordings = Split.of(distributions[pool])
        by_pool[pool] = dict(zip(recordings.parties, recordings.amounts(result.pools[pool]), strict=True))
    master_share = Fraction(licence.master_share)
    performance_share = Fraction(licence.performance_share)
    cuts = (
        Split.of({"master": master_share, "composition": 1 - master_share}),
        Split.of({"performance": performance_share, "mechanical": 1 - performance_share}),
    )
    per_party: dict[str, list[StatementLine]] = {}
    # Recordings, pools and rights in a fixed order: each party's lines come out sorted.
    for recording_id in sorted(by_pool["training"].keys() | by_pool["output"].keys()):
        splits = _recording_splits(by_recording[recording_id])
        for pool in POOLS:
            amount = by_pool[pool].get(recording_id, 0)
            if amount:
                _recording_lines(per_party, recording_id, pool, amount, splits, cuts)
    for party in sorted(per_party):
        lines = per_party[party]
        result.lines.extend(lines)
        result.totals[party] = sum(line.amount_minor for line in lines)


def _recording_splits(entry: RecordingRights) -> tuple[Split, Split | None, Split | None]:
    master = _right_split(entry.recording_id, "master", entry.master)
    if not entry.composition:
        return master, None, None
    performance = _right_split(entry.recording_id, "performance", entry.composition)
    mechanical = (
        _right_split(entry.recording_id, "mechanical", entry.mechanical) if entry.mechanical else performance
    )
    return master, performance, mechanical


def _recording_lines(
    per_party: dict[str, list[StatementLine]],
    recording_id: str,
    pool: str,
    amount: int,
    splits: tuple[Split, Split | None, Split | None],
    cuts: tuple[Split, Split],
) -> None:
    master, performance, mechanical = splits
    if performance is None or mechanical is None:
        parts: tuple[tuple[str, Split, int], ...] = (("master", master, amount),)
    else:
        # Split.parties are in string order: ("composition", "master"), ("mechanical", "performance").
        to_composition, to_master = cuts[0].amounts(amount)
        to_mechanical, to_performance = cuts[1].amounts(to_composition)
        parts = (
            ("master", master, to_master),
            ("performance", performance, to_performance),
            ("mechanical", mechanical, to_mechanical),
        )
    for right, split, part in parts:
        if part:
            for party, share in zip(split.parties, split.amounts(part), strict=False):
                if share:
                    line = StatementLine(party, recording_id, pool, right, share)
                    if party in per_party:
                        per_party[party].append(line)
                    else:
                        per_party[party] = [line]


def main(argv: list[str] | None = None) -> int:
    from legal.royalty_cli import run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
