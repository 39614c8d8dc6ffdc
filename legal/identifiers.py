"""Music industry identifiers, validated and normalised: ISRC, ISWC, IPI name number.

No Django: every input path (API, import, ingestion metadata) calls these, and a benchmark or
a script can too. Each function returns the canonical form to store or raises a domain error
whose code says which identifier was wrong.
"""

from __future__ import annotations

import re

from config.errors import InvalidInputError

MESSAGE_ISRC = "An ISRC is CC-XXX-YY-NNNNN: country, registrant, year, designation."
MESSAGE_ISWC = "An ISWC is T-DDD.DDD.DDD-C with a valid check digit."
MESSAGE_IPI = "An IPI name number is 11 digits whose last two are its mod-101 check."

_ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}")
_ISWC = re.compile(r"T([0-9]{9})([0-9])")
_IPI = re.compile(r"[0-9]{11}")
# IPI weights the nine base digits 10 down to 2 (CISAC IPI system).
_IPI_WEIGHTS = range(10, 1, -1)


class InvalidIsrcError(InvalidInputError):
    code = "invalid_isrc"
    default_message = MESSAGE_ISRC


class InvalidIswcError(InvalidInputError):
    code = "invalid_iswc"
    default_message = MESSAGE_ISWC


class InvalidIpiError(InvalidInputError):
    code = "invalid_ipi"
    default_message = MESSAGE_IPI


def _text(value: object, error: type[InvalidInputError]) -> str:
    if not isinstance(value, str):
        raise error(detail={"value": repr(value)})
    return value.strip().upper()


def isrc_normalise(value: object) -> str:
    """`GB-AYE-69-00531` or `gbaye6900531` -> `GBAYE6900531`. ISRC has no check digit."""
    text = _text(value, InvalidIsrcError).replace("-", "")
    if not _ISRC.fullmatch(text):
        raise InvalidIsrcError(detail={"value": value})
    return text


def iswc_check_digit(base: str) -> int:
    """The check digit of the nine digits after `T`: 1 (for T) + sum(i * d_i), to 10."""
    total = 1 + sum(weight * int(digit) for weight, digit in enumerate(base, start=1))
    return (10 - total % 10) % 10


def iswc_normalise(value: object) -> str:
    """`T-034.524.680-1`, `T-034524680-1` or `T0345246801` -> `T0345246801`."""
    text = re.sub(r"[-. ]", "", _text(value, InvalidIswcError))
    found = _ISWC.fullmatch(text)
    if found is None or iswc_check_digit(found.group(1)) != int(found.group(2)):
        raise InvalidIswcError(detail={"value": value})
    return text


def iswc_display(iswc: str) -> str:
    """The printed form of a stored ISWC: `T-034.524.680-1`."""
    digits = iswc[1:10]
    return f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{iswc[10]}"


def ipi_check(base: str) -> int | None:
    """The two check digits of a nine-digit base, or None when the remainder needs three
    (such bases are never assigned)."""
    check = (101 - sum(w * int(d) for w, d in zip(_IPI_WEIGHTS, base, strict=True)) % 101) % 101
    return check if check < 100 else None


def ipi_normalise(value: object) -> str:
    """An IPI name number (11 digits, leading zeros kept): `00014107338`."""
    text = _text(value, InvalidIpiError).replace(" ", "").replace(".", "")
    if not _IPI.fullmatch(text) or ipi_check(text[:9]) != int(text[9:]):
        raise InvalidIpiError(detail={"value": value})
    return text
