"""Royalty statements in and out: usage CSV, the statement input JSON, and JSON/CSV/HTML output.

Readers check every row and raise one `RoyaltyError` that lists every bad row (row number,
column, message), so a report is taken whole or not at all. No Django.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from html import escape
from itertools import groupby
from operator import attrgetter
from typing import Any

from legal.royalties import (
    MESSAGE_DUPLICATE_PARTY,
    MESSAGE_INVALID_INPUT,
    MESSAGE_INVALID_USAGE,
    USAGE_KINDS,
    LicenceTerms,
    RecordingRights,
    Revenue,
    RightShare,
    RoyaltyError,
    Statement,
    StatementLine,
    UsageLine,
    check_amount,
    parse_weight,
)

USAGE_COLUMNS = ("recording_id", "kind", "units", "duration_ms", "matched_ms")
STATEMENT_COLUMNS = (
    "licence_id", "period", "party_id", "recording_id", "pool", "right", "amount_minor", "amount", "currency"
)  # fmt: skip
LINE_FIELDS = StatementLine._fields[1:]  # a holder's lines, without the party again
MAX_LISTED_ERRORS = 100  # a report broken on every row still gets a readable error


def format_minor(amount_minor: int, exponent: int) -> str:
    """12345, 2 -> "123.45"; 5, 0 -> "5"."""
    if exponent == 0:
        return str(amount_minor)
    whole, part = divmod(amount_minor, 10**exponent)
    return f"{whole}.{part:0{exponent}d}"


def statement_document(result: Statement) -> dict[str, Any]:
    holders: dict[str, list[dict[str, Any]]] = {party: [] for party in result.totals}
    for line in result.lines:
        holders[line.party_id].append(dict(zip(LINE_FIELDS, line[1:], strict=True)))
    return {
        "licence_id": result.licence_id,
        "licensee_id": result.licensee_id,
        "period": result.period,
        "currency": result.currency,
        "exponent": result.exponent,
        "amount_minor": result.amount_minor,
        "pools": result.pools,
        "holders": [
            {"party_id": party, "total_minor": result.totals[party], "lines": lines}
            for party, lines in holders.items()
        ],
    }


def statement_json(result: Statement) -> str:
    # Compact: json's C encoder only runs without indent (a 1.2M-line statement: 3x faster).
    return json.dumps(statement_document(result), ensure_ascii=False, separators=(",", ":")) + "\n"


def statement_csv(result: Statement) -> str:
    """One row per line; a holder's total is the sum of its rows (see `statement_html`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)
    head = (result.licence_id, result.period)
    for line in result.lines:
        amount = format_minor(line.amount_minor, result.exponent)
        writer.writerow([*head, *line, amount, result.currency])
    return out.getvalue()


def statement_html(result: Statement) -> str:
    """A plain HTML page: a summary, then a table per rights holder. Every value is escaped."""

    def money(amount: int) -> str:
        return escape(f"{format_minor(amount, result.exponent)} {result.currency}")

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Royalty statement {escape(result.licence_id)} {escape(result.period)}</title></head><body>",
        f"<h1>Royalty statement: licence {escape(result.licence_id)}, period {escape(result.period)}</h1>",
        f"<p>Licensee {escape(result.licensee_id)}. Revenue {money(result.amount_minor)}: "
        f"training pool {money(result.pools['training'])}, output pool {money(result.pools['output'])}.</p>",
    ]
    for party, lines in groupby(result.lines, key=attrgetter("party_id")):
        parts.append(f"<section><h2>{escape(party)}</h2><table>")
        parts.append('<thead><tr><th scope="col">Recording</th><th scope="col">Pool</th>')
        parts.append('<th scope="col">Right</th><th scope="col">Amount</th></tr></thead><tbody>')
        parts.extend(
            f"<tr><td>{escape(line.recording_id)}</td><td>{escape(line.pool)}</td>"
            f"<td>{escape(line.right)}</td><td>{money(line.amount_minor)}</td></tr>"
            for line in lines
        )
        total = money(result.totals[party])
        parts.append(f'</tbody><tfoot><tr><th scope="row" colspan="3">Total</th><td>{total}</td></tr>')
        parts.append("</tfoot></table></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _usage_header(header: list[str]) -> dict[str, int]:
    errors: list[dict[str, Any]] = [
        {"row": 1, "column": column, "message": "missing column"}
        for column in ("recording_id", "kind")
        if column not in header
    ]
    errors += [{"row": 1, "column": c, "message": "unknown column"} for c in header if c not in USAGE_COLUMNS]
    errors += [
        {"row": 1, "column": c, "message": "repeated column"} for c in set(header) if header.count(c) > 1
    ]
    if errors:
        raise RoyaltyError("invalid_usage", MESSAGE_INVALID_USAGE, detail={"errors": errors})
    return {column: index for index, column in enumerate(header)}


def _usage_row(row: list[str], columns: dict[str, int], number: int, errors: list[dict[str, Any]]):
    if len(row) != len(columns):
        errors.append({"row": number, "column": "", "message": "not as many fields as the header"})
        return None
    recording = row[columns["recording_id"]].strip()
    kind = row[columns["kind"]].strip()
    before = len(errors)
    if not recording:
        errors.append({"row": number, "column": "recording_id", "message": "empty"})
    if kind not in USAGE_KINDS:
        errors.append({"row": number, "column": "kind", "message": "must be training or output"})
    counts = []
    for column, default in (("units", 1), ("duration_ms", 0), ("matched_ms", 0)):
        text = row[columns[column]].strip() if column in columns else ""
        if text and not (text.isascii() and text.isdigit()):
            errors.append({"row": number, "column": column, "message": "not a whole number >= 0"})
        counts.append(int(text) if text.isascii() and text.isdigit() else default)
    return UsageLine(recording, kind, *counts) if len(errors) == before else None


def read_usage_csv(text: str) -> list[UsageLine]:
    """Usage lines from CSV with a header: recording_id, kind, and any of units, duration_ms,
    matched_ms (empty: units 1, the others 0). Row numbers count the header as row 1; blank
    lines are skipped."""
    # newline="": a lone CR (old Mac line ends) is a line end to the csv module, not an error.
    rows = csv.reader(io.StringIO(text, newline=""))
    errors: list[dict[str, Any]] = []
    lines = []
    try:
        columns = _usage_header(next(rows, []))
        for number, row in enumerate(rows, start=2):
            if row:
                line = _usage_row(row, columns, number, errors)
                if line is not None:
                    lines.append(line)
    except csv.Error as exc:  # a field over the csv module's size limit, a NUL in a quote...
        detail = {"errors": [{"row": rows.line_num, "column": "", "message": str(exc)[:200]}]}
        raise RoyaltyError("invalid_usage", MESSAGE_INVALID_USAGE, detail=detail) from None
    if errors:
        detail = {"count": len(errors), "errors": errors[:MAX_LISTED_ERRORS]}
        raise RoyaltyError("invalid_usage", MESSAGE_INVALID_USAGE, detail=detail)
    return lines


def reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads object hook: a repeated key (a party listed twice) is an error, not last-wins."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise RoyaltyError("duplicate_party", MESSAGE_DUPLICATE_PARTY, detail={"party": key})
        result[key] = value
    return result


def _require(document: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if (
        not isinstance(document, dict)
        or not isinstance(document.get(key), kind)
        or isinstance(document[key], bool)
    ):
        raise RoyaltyError("invalid_input", MESSAGE_INVALID_INPUT, detail={"field": f"{where}{key}"})
    return document[key]


def _decimal(document: Any, key: str, where: str, default: str | None = None) -> Decimal:
    if default is not None and isinstance(document, dict) and key not in document:
        return Decimal(default)
    text = _require(document, key, str, where)
    parse_weight(text, party=f"{where}{key}")
    return Decimal(text.strip())


def _shares(value: Any, where: str) -> list[RightShare] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise RoyaltyError("invalid_input", MESSAGE_INVALID_INPUT, detail={"field": where})
    return [RightShare(_require(s, "party_id", str, where), _decimal(s, "share", where)) for s in value]


def statement_input(document: Any) -> tuple[Revenue, LicenceTerms, list[RecordingRights], list[UsageLine]]:
    """The `statement` command's JSON: {"revenue": {...}, "licence": {...}, "rights": [...],
    "usage": [...]} with decimal strings for shares (see the README)."""
    revenue = _require(document, "revenue", dict, "")
    licence = _require(document, "licence", dict, "")
    fields = {"training_share_basis": "count", "output_fallback": "training_pool"}
    terms = LicenceTerms(
        _require(licence, "licence_id", str, "licence."),
        _require(licence, "licensee_id", str, "licence."),
        **{k: licence.get(k, v) for k, v in fields.items()},
        master_share=_decimal(licence, "master_share", "licence.", "0.5"),
        performance_share=_decimal(licence, "performance_share", "licence.", "0.5"),
    )
    income = Revenue(
        check_amount(_require(revenue, "amount_minor", int, "revenue.")),
        _require(revenue, "currency", str, "revenue."),
        _require(revenue, "period", str, "revenue."),
        _decimal(revenue, "training_pool_share", "revenue.", "0.5"),
        _decimal(revenue, "output_pool_share", "revenue.", "0.5"),
    )
    rights = [
        RecordingRights(
            _require(entry, "recording_id", str, "rights[]."),
            _shares(_require(entry, "master", list, "rights[]."), "rights[].master"),
            _shares(entry.get("composition"), "rights[].composition"),
            _shares(entry.get("mechanical"), "rights[].mechanical"),
        )
        for entry in _require(document, "rights", list, "")
    ]
    usage = [_usage_line(entry) for entry in _require(document, "usage", list, "")]
    return income, terms, rights, usage


def _usage_line(entry: Any) -> UsageLine:
    if not isinstance(entry, dict):
        raise RoyaltyError("invalid_input", MESSAGE_INVALID_INPUT, detail={"field": "usage[]"})
    counts = {}
    for name, default in (("units", 1), ("duration_ms", 0), ("matched_ms", 0)):
        counts[name] = _require(entry, name, int, "usage[].") if name in entry else default
    return UsageLine(
        _require(entry, "recording_id", str, "usage[]."), _require(entry, "kind", str, "usage[]."), **counts
    )
