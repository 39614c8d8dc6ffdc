"""Usage CSV reader (every bad row listed, nothing partial) and the statement renderings."""

import csv
import io
import json
from decimal import Decimal

import pytest

from legal.royalties import (
    MESSAGE_INVALID_USAGE,
    LicenceTerms,
    RecordingRights,
    Revenue,
    RightShare,
    RoyaltyError,
    UsageLine,
    statement,
)
from legal.royalty_formats import format_minor, read_usage_csv, statement_csv, statement_html, statement_json


def sample_statement(currency: str = "EUR"):
    rights = [
        RecordingRights(
            "r1", [RightShare("label", Decimal(1))], [RightShare("<script>w</script>", Decimal(1))]
        ),
        RecordingRights('r2 "quoted", comma', [RightShare("label", Decimal(1))]),
    ]
    usage = [UsageLine("r1", "training"), UsageLine('r2 "quoted", comma', "output", matched_ms=10)]
    revenue = Revenue(12_345, currency, "2026-Q1 & Q2", Decimal("0.5"), Decimal("0.5"))
    return statement(revenue, LicenceTerms("lic<1>", "acme"), rights, usage)


def test_usage_csv_is_read_with_defaults_for_empty_columns():
    text = "recording_id,kind,units,duration_ms,matched_ms\n"
    text += "r1,training,,,\nr2,output,,,1500\nr3,training,4,200,\n"

    assert read_usage_csv(text) == [
        UsageLine("r1", "training", 1, 0, 0),
        UsageLine("r2", "output", 1, 0, 1500),
        UsageLine("r3", "training", 4, 200, 0),
    ]


def test_every_bad_usage_row_is_reported_and_none_is_kept():
    text = "recording_id,kind,units,matched_ms\nr1,training,1,\n,training,1,\n"
    text += "r3,streamed,-2,\nr4,output,,1.5\nr5,output,1,2,9\n"

    with pytest.raises(RoyaltyError) as caught:
        read_usage_csv(text)

    assert (caught.value.code, caught.value.message) == ("invalid_usage", MESSAGE_INVALID_USAGE)
    assert caught.value.detail["errors"] == [
        {"row": 3, "column": "recording_id", "message": "empty"},
        {"row": 4, "column": "kind", "message": "must be training or output"},
        {"row": 4, "column": "units", "message": "not a whole number >= 0"},
        {"row": 5, "column": "matched_ms", "message": "not a whole number >= 0"},
        {"row": 6, "column": "", "message": "not as many fields as the header"},
    ]
    assert caught.value.detail["count"] == 5


def test_a_usage_csv_without_the_required_columns_is_refused():
    with pytest.raises(RoyaltyError) as caught:
        read_usage_csv("recording,kind,plays\nr1,training,3\n")
    assert caught.value.detail["errors"] == [
        {"row": 1, "column": "recording_id", "message": "missing column"},
        {"row": 1, "column": "recording", "message": "unknown column"},
        {"row": 1, "column": "plays", "message": "unknown column"},
    ]


@pytest.mark.parametrize(
    ("amount", "exponent", "text"), [(12345, 2, "123.45"), (5, 2, "0.05"), (7, 0, "7"), (1, 3, "0.001")]
)
def test_minor_units_are_formatted_with_the_currency_exponent(amount, exponent, text):
    assert format_minor(amount, exponent) == text


def test_statement_json_carries_holders_lines_and_totals():
    result = sample_statement()
    document = json.loads(statement_json(result))

    assert document["currency"] == "EUR" and document["exponent"] == 2
    assert document["amount_minor"] == 12_345 == sum(h["total_minor"] for h in document["holders"])
    for holder in document["holders"]:
        assert holder["total_minor"] == sum(line["amount_minor"] for line in holder["lines"])
        assert set(holder["lines"][0]) == {"recording_id", "pool", "right", "amount_minor"}


def test_statement_csv_round_trips_through_a_csv_reader():
    result = sample_statement()
    rows = list(csv.DictReader(io.StringIO(statement_csv(result))))

    assert sum(int(row["amount_minor"]) for row in rows) == 12_345
    assert {row["recording_id"] for row in rows} == {"r1", 'r2 "quoted", comma'}
    assert all(row["currency"] == "EUR" and row["licence_id"] == "lic<1>" for row in rows)


def test_statement_html_escapes_every_value():
    page = statement_html(sample_statement())

    assert "<script>" not in page
    assert "&lt;script&gt;w&lt;/script&gt;" in page
    assert "lic&lt;1&gt;" in page and "2026-Q1 &amp; Q2" in page
    assert "123.45 EUR" in page
    assert page.count("<table>") == 2


def test_statement_html_of_a_zero_decimal_currency_has_no_decimal_point():
    assert "12345 JPY" in statement_html(sample_statement("JPY"))


def test_a_usage_csv_with_a_repeated_column_is_refused():
    with pytest.raises(RoyaltyError) as caught:
        read_usage_csv("recording_id,kind,units,units\nr1,training,1,2\n")
    assert caught.value.detail["errors"] == [{"row": 1, "column": "units", "message": "repeated column"}]


def test_blank_lines_in_a_usage_csv_are_skipped():
    assert read_usage_csv("recording_id,kind\n\nr1,output\n\n") == [UsageLine("r1", "output")]
