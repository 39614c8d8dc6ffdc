"""Territories (ISO 3166-1 alpha-2, or WORLD) and currencies (ISO 4217) a licence may name.

No Django. The currency list is deliberately small: the currencies licences are written in
here (the royalty engine's table has their minor units). Add one when a contract needs it,
rather than accept a typo as a currency.
"""

from __future__ import annotations

from config.errors import InvalidInputError

WORLD = "WORLD"

# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905  (a table to read, not to reformat)
)

# ISO 4217 codes a licence may be written in (their minor units: royalties.CURRENCY_EXPONENTS).
CURRENCIES = frozenset(
    "AUD BRL CAD CHF CNY DKK EUR GBP HKD INR JPY KRW MXN NOK NZD SEK SGD USD ZAR".split()  # noqa: SIM905
)

MESSAGE_TERRITORY = "Territories are ISO 3166-1 alpha-2 country codes, or WORLD alone."
MESSAGE_CURRENCY = "Unknown currency: use an ISO 4217 code this service knows."


class InvalidTerritoryError(InvalidInputError):
    code = "invalid_territory"
    default_message = MESSAGE_TERRITORY


class UnknownCurrencyError(InvalidInputError):
    code = "unknown_currency"
    default_message = MESSAGE_CURRENCY


def territories_normalise(values: object) -> list[str]:
    """A non-empty list of distinct codes, sorted; WORLD stands alone."""
    if not isinstance(values, list | tuple) or not values or not all(isinstance(v, str) for v in values):
        raise InvalidTerritoryError(detail={"territories": values})
    codes = sorted({v.strip().upper() for v in values})
    unknown = [c for c in codes if c not in COUNTRIES and c != WORLD]
    if unknown or (WORLD in codes and len(codes) > 1):
        raise InvalidTerritoryError(detail={"territories": values, "unknown": unknown})
    return codes


def territories_overlap(first: list[str], second: list[str]) -> bool:
    return WORLD in first or WORLD in second or bool(set(first) & set(second))


def currency_normalise(value: object) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        raise UnknownCurrencyError(detail={"currency": value, "known": sorted(CURRENCIES)})
    return code
