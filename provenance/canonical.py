"""RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value.

Event hashes and signatures are computed over these bytes, so the offline verifier must
produce exactly the same ones; this module is standard library only.
"""

from __future__ import annotations

import json
import math
from typing import Any


class CanonicalizationError(ValueError):
    pass


def canonicalize(value: Any) -> bytes:
    return _serialize(value).encode("utf-8")


def _serialize(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) <= 2**53:
            return str(value)
        # JCS numbers are IEEE-754 doubles. A large integer is accepted only when the double's
        # canonical text is the integer itself; otherwise other implementations would round
        # it silently, so it is refused (send such values as strings).
        text = _number(float(value))
        if text != str(value):
            raise CanonicalizationError(f"integer {value} would be rounded to {text}")
        return text
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        # json.dumps without ASCII escaping matches JCS string rules: short escapes for
        # \b \t \n \f \r, \u00xx (lower-case hex) for other controls, everything else raw.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise CanonicalizationError("object keys must be strings")
        # Keys are ordered by their UTF-16 code units, not by code points.
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(f"{_serialize(key)}:{_serialize(value[key])}" for key in keys) + "}"
    raise CanonicalizationError(f"{type(value).__name__} is not a JSON type")


def _number(value: float) -> str:
    """ECMAScript Number.prototype.toString, which JCS prescribes for numbers."""
    if not math.isfinite(value):
        raise CanonicalizationError("NaN and Infinity are not JSON numbers")
    if value == 0:
        return "0"
    mantissa, _, exponent_text = repr(abs(value)).partition("e")
    digits = mantissa.replace(".", "").lstrip("0")
    point = mantissa.index(".") if "." in mantissa else len(mantissa)
    leading_zeros = len(mantissa.replace(".", "")) - len(mantissa.replace(".", "").lstrip("0"))
    # n: position of the decimal point relative to the first significant digit.
    n = point - leading_zeros + (int(exponent_text) if exponent_text else 0)
    digits = digits.rstrip("0") or "0"
    sign = "-" if value < 0 else ""
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    exponent = n - 1
    mantissa_text = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa_text}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
