"""ISRC, ISWC and IPI name numbers: canonical forms, check digits, precise error codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legal.codes import (
    CURRENCIES,
    InvalidTerritoryError,
    UnknownCurrencyError,
    currency_normalise,
    territories_normalise,
    territories_overlap,
)
from legal.identifiers import (
    InvalidIpiError,
    InvalidIsrcError,
    InvalidIswcError,
    ipi_check,
    ipi_normalise,
    isrc_normalise,
    iswc_check_digit,
    iswc_display,
    iswc_normalise,
)
from legal.royalties import CURRENCY_EXPONENTS

digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@pytest.mark.parametrize("value", ["GB-AYE-69-00531", "gbaye6900531", " USRC17607839 ", "US-RC1-76-07839"])
def test_isrc_is_accepted_with_or_without_hyphens_and_uppercased(value):
    assert len(isrc_normalise(value)) == 12
    assert isrc_normalise(value) == isrc_normalise(value).upper()


@pytest.mark.parametrize("value", ["GB-AYE-69-0053", "1BAYE6900531", "GBAYE69X0531", "", 12, None])
def test_a_malformed_isrc_is_refused_with_its_code(value):
    with pytest.raises(InvalidIsrcError) as error:
        isrc_normalise(value)
    assert error.value.code == "invalid_isrc" and error.value.status == 400


@given(
    country=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    registrant=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3),
    number=st.text(alphabet="0123456789", min_size=7, max_size=7),
)
def test_generated_isrcs_round_trip(country, registrant, number):
    formatted = f"{country}-{registrant}-{number[:2]}-{number[2:]}".lower()
    assert isrc_normalise(formatted) == f"{country}{registrant}{number}"


@pytest.mark.parametrize("value", ["T-034.524.680-1", "T0345246801", "t-034524680-1", "T-000.000.001-0"])
def test_known_iswcs_are_valid(value):
    assert iswc_normalise(value) in {"T0345246801", "T0000000010"}


def test_an_iswc_prints_in_its_dotted_form():
    assert iswc_display("T0345246801") == "T-034.524.680-1"


@pytest.mark.parametrize("value", ["T-034.524.680-2", "T034524680", "X0345246801", "T-034.524.680-"])
def test_an_iswc_with_a_wrong_check_digit_or_shape_is_refused(value):
    with pytest.raises(InvalidIswcError) as error:
        iswc_normalise(value)
    assert error.value.code == "invalid_iswc"


@given(base=digits)
def test_generated_iswcs_round_trip_through_their_display_form(base):
    iswc = f"T{base}{iswc_check_digit(base)}"
    assert iswc_normalise(iswc_display(iswc)) == iswc


@given(base=digits, position=st.integers(0, 8), change=st.integers(1, 9))
def test_an_iswc_with_one_digit_changed_is_refused(base, position, change):
    changed = base[:position] + str((int(base[position]) + change) % 10) + base[position + 1 :]
    # A weight of 5 (or 0 mod 10) maps some changes to the same check digit: the ISWC
    # check digit catches single substitutions only where the weight is coprime to 10.
    if ((position + 1) * change) % 10 == 0:
        return
    with pytest.raises(InvalidIswcError):
        iswc_normalise(f"T{changed}{iswc_check_digit(base)}")


@pytest.mark.parametrize("value", ["00014107338", "00045620792", "01145982828"])
def test_published_ipi_name_numbers_are_valid(value):
    assert ipi_normalise(value) == value


@pytest.mark.parametrize("value", ["00014107339", "0001410733", "000141073380", "0001410733A", ""])
def test_a_bad_ipi_name_number_is_refused(value):
    with pytest.raises(InvalidIpiError) as error:
        ipi_normalise(value)
    assert error.value.code == "invalid_ipi"


@given(base=digits)
def test_generated_ipi_name_numbers_round_trip(base):
    check = ipi_check(base)
    if check is None:  # a remainder of 100 has no two-digit check: never assigned
        return
    assert ipi_normalise(f"{base}{check:02d}") == f"{base}{check:02d}"


@given(base=digits, position=st.integers(0, 8), change=st.integers(1, 9))
def test_an_ipi_with_one_digit_changed_is_refused(base, position, change):
    check = ipi_check(base)
    if check is None:
        return
    changed = base[:position] + str((int(base[position]) + change) % 10) + base[position + 1 :]
    # 101 is prime and every weight is under 101: any single substitution changes the sum.
    with pytest.raises(InvalidIpiError):
        ipi_normalise(f"{changed}{check:02d}")


def test_territories_are_country_codes_or_world_alone():
    assert territories_normalise(["fr", "DE", "FR"]) == ["DE", "FR"]
    assert territories_normalise(["WORLD"]) == ["WORLD"]
    for bad in (["XX"], ["WORLD", "FR"], [], "FR"):
        with pytest.raises(InvalidTerritoryError):
            territories_normalise(bad)
    assert territories_overlap(["WORLD"], ["JP"]) and not territories_overlap(["FR"], ["DE"])


def test_unknown_currencies_are_refused():
    assert currency_normalise("eur") == "EUR"
    with pytest.raises(UnknownCurrencyError) as error:
        currency_normalise("EUX")
    assert error.value.code == "unknown_currency"


def test_every_licence_currency_has_its_minor_unit_in_the_royalty_engine():
    assert CURRENCY_EXPONENTS.keys() >= CURRENCIES
