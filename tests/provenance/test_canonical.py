import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.canonical import CanonicalizationError, canonicalize


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 8785 §3.2.2.3 and appendix B number examples
        (1e30, "1e+30"),
        (4.5, "4.5"),
        (0.002, "0.002"),
        (1e-7, "1e-7"),
        (333333333.33333329, "333333333.3333333"),
        (-0.0, "0"),
        (2.9514790517935283e20, "295147905179352830000"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (9007199254740991, "9007199254740991"),
        (100.0, "100"),
    ],
)
def test_numbers_serialise_as_ecmascript_does(value, expected):
    assert canonicalize(value).decode() == expected


def test_object_keys_sort_by_utf16_code_units_and_strings_stay_raw():
    # U+1F600 (a surrogate pair, D83D ...) sorts before U+FB01 in UTF-16, after it in code points.
    value = {"\ufb01": 1, "\U0001f600": 2, "b": "\u20ac\n\x1f/", "a": [True, None, False]}

    assert canonicalize(value) == (
        '{"a":[true,null,false],"b":"\u20ac\\n\\u001f/","\U0001f600":2,"\ufb01":1}'.encode()
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**53 + 1, {1: "x"}, b"bytes", {"a": {1, 2}}])
def test_values_outside_interoperable_json_are_refused(value):
    with pytest.raises(CanonicalizationError):
        canonicalize(value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_form_is_a_fixed_point_and_parses_back(value):
    canonical = canonicalize(value)

    assert canonicalize(json.loads(canonical)) == canonical
