"""Rights shares: percentages with four decimals that must sum to exactly 100 per right.

No Django. Decimal arithmetic throughout: 33.3333 + 33.3333 + 33.3334 is 100, and
33.3333 * 3 is not, whatever a float would say.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from config.errors import InvalidInputError

HUNDRED = Decimal(100)
QUANTUM = Decimal("0.0001")

MESSAGE_NOT_100 = "The shares of each right must sum to exactly 100%."
MESSAGE_NEGATIVE = "Amounts and shares cannot be negative."
MESSAGE_SHARE = "A share is a percentage from 0 to 100 with at most four decimals."


class SharesNotHundredError(InvalidInputError):
    code = "shares_not_100"
    default_message = MESSAGE_NOT_100


class NegativeAmountError(InvalidInputError):
    code = "negative_amount"
    default_message = MESSAGE_NEGATIVE


class InvalidShareError(InvalidInputError):
    code = "invalid_share"
    default_message = MESSAGE_SHARE


def share_parse(value: object, *, field: str = "share") -> Decimal:
    """A percentage from a string, int or Decimal (never a float: it is not exact)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidShareError(detail={field: repr(value)})
    try:
        share = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidShareError(detail={field: value}) from None
    if not share.is_finite():
        raise InvalidShareError(detail={field: value})
    if share < 0:
        raise NegativeAmountError(detail={field: value})
    if share > HUNDRED or share != share.quantize(QUANTUM):
        raise InvalidShareError(detail={field: value})
    return share.quantize(QUANTUM)


def shares_check(shares: Iterable[Decimal], *, right: str, subject: str) -> None:
    """Raise unless the shares of one right (master, performance, mechanical) sum to 100."""
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise SharesNotHundredError(
            f"The {right} shares of {subject} sum to {total}%, not 100%.",
            detail={"right": right, "subject": subject, "total": str(total)},
        )
