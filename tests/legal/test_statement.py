"""statement(): pools, fallbacks, master/composition split, exact totals, order independence."""

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legal.royalties import (
    MESSAGE_SHARES_NOT_WHOLE,
    MESSAGE_UNKNOWN_CURRENCY,
    MESSAGE_UNKNOWN_RECORDING,
    LicenceTerms,
    RecordingRights,
    Revenue,
    RightShare,
    RoyaltyError,
    UsageLine,
    statement,
)


def shares(**parts: str) -> list[RightShare]:
    return [RightShare(party, Decimal(share)) for party, share in parts.items()]


LICENCE = LicenceTerms("lic-1", "acme-ai", training_share_basis="count", master_share=Decimal("0.5"))
RIGHTS = [
    RecordingRights("r1", shares(label="1"), shares(writer="0.5", publisher="0.5")),
    RecordingRights("r2", shares(label="0.7", artist="0.3")),
    RecordingRights("r3", shares(indie="1"), shares(writer="1")),
]


def revenue(amount: int, training: str = "0.5", output: str = "0.5", currency: str = "EUR") -> Revenue:
    return Revenue(amount, currency, "2026-Q1", Decimal(training), Decimal(output))


def amounts(result, *, pool=None, right=None, recording=None) -> int:
    return sum(
        line.amount_minor
        for line in result.lines
        if (pool is None or line.pool == pool)
        and (right is None or line.right == right)
        and (recording is None or line.recording_id == recording)
    )


def test_training_pool_is_shared_by_units_and_output_pool_by_matched_time():
    usage = [
        UsageLine("r1", "training", units=1),
        UsageLine("r2", "training", units=3),
        UsageLine("r3", "output", matched_ms=9000),
        UsageLine("r1", "output", matched_ms=1000),
    ]
    result = statement(revenue(10_000, "0.6", "0.4"), LICENCE, RIGHTS, usage)

    assert result.pools == {"output": 4000, "training": 6000}
    assert amounts(result, pool="training", recording="r1") == 1500
    assert amounts(result, pool="training", recording="r2") == 4500
    assert amounts(result, pool="output", recording="r3") == 3600
    assert amounts(result, pool="output", recording="r1") == 400


def test_duration_basis_weights_training_by_milliseconds_used():
    licence = LicenceTerms("lic-1", "acme-ai", training_share_basis="duration")
    usage = [
        UsageLine("r1", "training", units=5, duration_ms=1000),
        UsageLine("r2", "training", units=1, duration_ms=3000),
    ]
    result = statement(revenue(1000, "1", "0"), licence, RIGHTS, usage)

    assert amounts(result, recording="r1") == 250
    assert amounts(result, recording="r2") == 750


def test_master_composition_and_performance_mechanical_splits():
    licence = LicenceTerms("lic-1", "acme-ai", master_share=Decimal("0.6"), performance_share=Decimal("0.25"))
    result = statement(revenue(1000, "1", "0"), licence, RIGHTS, [UsageLine("r1", "training")])

    assert amounts(result, right="master") == 600
    assert amounts(result, right="performance") == 100
    assert amounts(result, right="mechanical") == 300
    assert result.totals == {"label": 600, "publisher": 200, "writer": 200}


def test_separate_mechanical_shares_are_used_for_the_mechanical_right():
    rights = [RecordingRights("r1", shares(label="1"), shares(writer="1"), shares(publisher="1"))]
    result = statement(revenue(400, "1", "0"), LICENCE, rights, [UsageLine("r1", "training")])

    assert result.totals == {"label": 200, "publisher": 100, "writer": 100}


def test_a_recording_without_composition_shares_pays_all_to_the_master():
    result = statement(revenue(1001, "1", "0"), LICENCE, RIGHTS, [UsageLine("r2", "training")])

    assert result.totals == {"artist": 300, "label": 701}
    assert {line.right for line in result.lines} == {"master"}


def test_without_output_matches_the_output_pool_follows_the_training_pool():
    usage = [UsageLine("r1", "training"), UsageLine("r2", "training", units=3)]
    result = statement(revenue(800), LICENCE, RIGHTS, usage)

    assert amounts(result, recording="r1") == 200
    assert amounts(result, recording="r2") == 600
    assert amounts(result, recording="r3") == 0


def test_without_output_matches_the_pro_rata_catalogue_fallback_pays_every_recording_alike():
    licence = LicenceTerms("lic-1", "acme-ai", output_fallback="pro_rata_catalogue")
    usage = [UsageLine("r1", "training")]
    result = statement(revenue(600), licence, RIGHTS, usage)

    assert amounts(result, pool="output", recording="r1") == 100
    assert amounts(result, pool="output", recording="r2") == 100
    assert amounts(result, pool="output", recording="r3") == 100
    assert amounts(result, pool="training", recording="r1") == 300


def test_without_any_usage_the_catalogue_is_paid_pro_rata():
    result = statement(revenue(300), LICENCE, RIGHTS, [])

    assert [amounts(result, recording=r) for r in ("r1", "r2", "r3")] == [100, 100, 100]


def test_lines_come_grouped_by_party_and_totals_add_up():
    usage = [
        UsageLine("r3", "output", matched_ms=7),
        UsageLine("r1", "training"),
        UsageLine("r2", "training"),
    ]
    result = statement(revenue(99_999, "0.3", "0.7"), LICENCE, RIGHTS, usage)

    keys = [(line.party_id, line.recording_id) for line in result.lines]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    assert sum(result.totals.values()) == result.amount_minor == sum(result.pools.values())
    for party, total in result.totals.items():
        assert total == sum(line.amount_minor for line in result.lines if line.party_id == party)
    assert all(line.amount_minor > 0 for line in result.lines)


@st.composite
def catalogues(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    holders = st.sampled_from(["a", "b", "c", "d", "e"])
    rights = []
    for n in range(count):
        owners = draw(st.lists(holders, min_size=1, max_size=3, unique=True))
        parts = draw(st.lists(st.integers(1, 7), min_size=len(owners), max_size=len(owners)))
        total = sum(parts)
        master = [RightShare(o, Decimal(p) / total) for o, p in zip(owners, parts, strict=True)]
        # Shares that do not divide exactly (1/3) cannot be decimals: give the remainder to the last.
        master = [RightShare(s.party_id, s.share.quantize(Decimal("0.0001"))) for s in master]
        last = master[-1]
        master[-1] = RightShare(last.party_id, Decimal(1) - sum(s.share for s in master[:-1]))
        composition = shares(w=f"0.{n % 9 + 1}", p=f"{1 - Decimal(f'0.{n % 9 + 1}')}") if n % 2 else None
        rights.append(RecordingRights(f"r{n}", master, composition))
    usage = draw(
        st.lists(
            st.builds(
                UsageLine,
                st.sampled_from([r.recording_id for r in rights]),
                st.sampled_from(["training", "output"]),
                st.integers(0, 5),
                st.integers(0, 10_000),
                st.integers(0, 10_000),
            ),
            max_size=30,
        )
    )
    return rights, usage


@settings(max_examples=60, deadline=None)
@given(catalogues(), st.integers(0, 10**9), st.randoms())
def test_statements_sum_exactly_and_do_not_depend_on_input_order(catalogue, amount, rng):
    rights, usage = catalogue
    result = statement(revenue(amount, "0.35", "0.65"), LICENCE, rights, usage)
    rights, usage = list(rights), list(usage)
    rng.shuffle(rights)
    rng.shuffle(usage)
    again = statement(revenue(amount, "0.35", "0.65"), LICENCE, rights, usage)

    assert sum(result.totals.values()) == amount
    assert sum(line.amount_minor for line in result.lines) == amount
    assert (again.lines, again.totals, again.pools) == (result.lines, result.totals, result.pools)


def test_unknown_currency_is_refused():
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(100, currency="XXY"), LICENCE, RIGHTS, [])
    assert (caught.value.code, caught.value.message) == ("unknown_currency", MESSAGE_UNKNOWN_CURRENCY)


def test_negative_revenue_is_refused():
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(-5), LICENCE, RIGHTS, [])
    assert caught.value.code == "invalid_amount"


def test_shares_of_a_right_must_total_one():
    rights = [RecordingRights("r1", shares(label="0.6", artist="0.3"))]
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(100), LICENCE, rights, [UsageLine("r1", "training")])
    assert (caught.value.code, caught.value.message) == ("shares_not_whole", MESSAGE_SHARES_NOT_WHOLE)
    assert caught.value.detail == {"recording_id": "r1", "right": "master"}


def test_a_party_listed_twice_in_one_right_is_refused():
    rights = [
        RecordingRights("r1", [RightShare("label", Decimal("0.5")), RightShare("label", Decimal("0.5"))])
    ]
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(100), LICENCE, rights, [UsageLine("r1", "training")])
    assert caught.value.code == "duplicate_party"


def test_usage_of_recordings_without_rights_is_refused():
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(100), LICENCE, RIGHTS, [UsageLine("r9", "output", matched_ms=5)])
    assert (caught.value.code, caught.value.message) == ("unknown_recording", MESSAGE_UNKNOWN_RECORDING)
    assert caught.value.detail == {"count": 1, "first": ["r9"]}


def test_an_empty_catalogue_has_nobody_to_pay():
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(100), LICENCE, [], [])
    assert caught.value.code == "nothing_to_pay"


@pytest.mark.parametrize(
    "licence",
    [
        LicenceTerms("l", "x", training_share_basis="plays"),
        LicenceTerms("l", "x", output_fallback="keep"),
        LicenceTerms("l", "x", master_share=Decimal("1.5")),
        LicenceTerms("l", "x", performance_share=Decimal("-0.1")),
    ],
)
def test_invalid_licence_terms_are_refused(licence):
    with pytest.raises(RoyaltyError) as caught:
        statement(revenue(100), licence, RIGHTS, [])
    assert caught.value.code == "invalid_terms"


@pytest.mark.parametrize(
    "fields", [{"kind": "streamed"}, {"units": -1}, {"matched_ms": 1.5}, {"duration_ms": True}]
)
def test_invalid_usage_lines_cannot_be_made(fields):
    with pytest.raises(RoyaltyError) as caught:
        UsageLine(**({"recording_id": "r1", "kind": "training"} | fields))
    assert caught.value.code == "invalid_usage"


def test_zero_decimal_currencies_are_allocated_in_whole_units():
    rng = random.Random(3)  # noqa: S311  (reproducible data, not secrets)
    usage = [UsageLine(f"r{rng.randrange(1, 4)}", "training") for _ in range(10)]
    result = statement(revenue(1_000_003, currency="JPY"), LICENCE, RIGHTS, usage)
    assert result.exponent == 0
    assert sum(result.totals.values()) == 1_000_003
