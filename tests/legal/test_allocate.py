"""allocate(): exact, order-independent largest-remainder splits (property tests)."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legal.royalties import MESSAGE_INVALID_WEIGHT, MESSAGE_ZERO_WEIGHTS, RoyaltyError, allocate

parties = st.text(alphabet="abcxyz019-_é", min_size=1, max_size=4)
decimal_weights = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
weight_maps = st.dictionaries(parties, decimal_weights, min_size=1, max_size=12).filter(
    lambda weights: sum(weights.values()) > 0
)
amounts = st.integers(min_value=0, max_value=10**15)


def reference(amount: int, weights: dict) -> dict[str, int]:
    """The contract written out plainly: floor of each exact share, then one unit each to the
    largest fractional remainders, ties to the smaller party id."""
    total = sum(Fraction(w) for w in weights.values())
    exact = {party: amount * Fraction(w) / total for party, w in weights.items()}
    result = {party: share.numerator // share.denominator for party, share in exact.items()}
    left = amount - sum(result.values())
    for party in sorted(exact, key=lambda p: (-(exact[p] - result[p]), p))[:left]:
        result[party] += 1
    return result


@given(amounts, weight_maps)
def test_allocations_sum_exactly_to_the_amount(amount, weights):
    assert sum(allocate(amount, weights).values()) == amount


@given(amounts, weight_maps, st.randoms())
def test_allocation_does_not_depend_on_the_order_of_the_weights(amount, weights, rng):
    items = list(weights.items())
    rng.shuffle(items)
    assert allocate(amount, dict(items)) == allocate(amount, weights)


@given(amounts, weight_maps)
def test_each_allocation_is_within_one_unit_of_its_exact_share(amount, weights):
    total = sum(Fraction(w) for w in weights.values())
    for party, units in allocate(amount, weights).items():
        assert abs(units - amount * Fraction(weights[party]) / total) < 1


@given(amounts, weight_maps)
def test_allocation_matches_the_reference_floor_and_remainder_rule(amount, weights):
    assert allocate(amount, weights) == reference(amount, weights)


@given(amounts, weight_maps)
def test_zero_weights_get_nothing(amount, weights):
    allocations = allocate(amount, weights | {"zzzz-zero": Decimal(0)})
    assert allocations["zzzz-zero"] == 0


@given(st.lists(parties, min_size=2, max_size=9, unique=True), st.integers(min_value=0, max_value=50))
def test_equal_weights_leave_the_odd_units_to_the_smaller_party_ids(names, amount):
    allocations = allocate(amount, dict.fromkeys(names, "1"))
    ordered = sorted(names)
    base, extra = divmod(amount, len(names))
    assert [allocations[p] for p in ordered] == [base + 1] * extra + [base] * (len(names) - extra)


def test_ties_go_to_the_smaller_party_id_in_string_order():
    # "10" < "9" as strings: the string order decides, not the numeric one.
    assert allocate(1, {"9": "1", "10": "1"}) == {"10": 1, "9": 0}
    assert allocate(2, {"b": "1", "c": "1", "a": "1"}) == {"a": 1, "b": 1, "c": 0}


def test_the_largest_remainder_beats_the_party_order():
    # Exact shares 33.3, 66.6 (of 100 at weights 1:2 -> 33.33.., 66.66..): b's remainder is larger.
    assert allocate(100, {"a": "1", "b": "2"}) == {"a": 33, "b": 67}


def test_weights_may_be_ints_fractions_decimals_or_decimal_strings():
    expected = {"a": 1, "b": 2}
    assert allocate(3, {"a": 1, "b": 2}) == expected
    assert allocate(3, {"a": Fraction(1, 3), "b": Fraction(2, 3)}) == expected
    assert allocate(3, {"a": Decimal("0.5"), "b": "1.0"}) == expected


def test_rounding_free_decimals_stay_exact():
    # 0.1 + 0.2 as floats is not 0.3; as decimals the split is exact.
    assert allocate(30, {"a": "0.1", "b": "0.2"}) == {"a": 10, "b": 20}


@pytest.mark.parametrize("weight", ["-1", "abc", "1e3", "", "NaN", 0.5, True, None, Decimal("Infinity")])
def test_weights_that_are_not_non_negative_decimals_are_refused(weight):
    with pytest.raises(RoyaltyError) as caught:
        allocate(10, {"a": "1", "b": weight})
    assert caught.value.code == "invalid_weight"
    assert caught.value.message == MESSAGE_INVALID_WEIGHT
    assert caught.value.detail == {"party": "b"}


@pytest.mark.parametrize("weights", [{}, {"a": "0", "b": "0.000"}])
def test_weights_summing_to_zero_are_refused(weights):
    with pytest.raises(RoyaltyError) as caught:
        allocate(10, weights)
    assert caught.value.code == "zero_weights"
    assert caught.value.message == MESSAGE_ZERO_WEIGHTS


@pytest.mark.parametrize("amount", [-1, 1.0, "10", True, None])
def test_amounts_that_are_not_whole_non_negative_units_are_refused(amount):
    with pytest.raises(RoyaltyError) as caught:
        allocate(amount, {"a": "1"})
    assert caught.value.code == "invalid_amount"


def test_a_large_random_split_matches_the_reference():
    rng = random.Random(7)  # noqa: S311  (reproducible data, not secrets)
    weights = {f"p{n}": Decimal(rng.randrange(0, 10**6)) / 1000 for n in range(2000)}
    assert allocate(10**12 + 7, weights) == reference(10**12 + 7, weights)
