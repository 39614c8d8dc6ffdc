"""`python -m legal.royalties split|statement INPUT.json`: the engine from the command line.

Exit status 0 on success; 1 when the input is refused (one line on stderr: the error's code,
message and detail); 2 for a malformed command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from legal.royalties import MESSAGE_INVALID_INPUT, MESSAGE_INVALID_WEIGHT, RoyaltyError, allocate, statement
from legal.royalty_formats import (
    reject_duplicate_keys,
    statement_csv,
    statement_html,
    statement_input,
    statement_json,
)

MESSAGE_UNREADABLE = "The input file cannot be read."
MESSAGE_NOT_JSON = "The input is not JSON."
SPLIT_KEYS = {"amount_minor", "shares"}


def _load(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoyaltyError(
            "unreadable_input", MESSAGE_UNREADABLE, detail={"reason": type(exc).__name__}
        ) from exc
    try:
        return json.loads(text, object_pairs_hook=reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise RoyaltyError(
            "invalid_json", MESSAGE_NOT_JSON, detail={"line": exc.lineno, "column": exc.colno}
        ) from exc


def split_command(document: Any) -> dict[str, Any]:
    if (
        not isinstance(document, dict)
        or document.keys() != SPLIT_KEYS
        or not isinstance(document["shares"], dict)
    ):
        raise RoyaltyError("invalid_input", MESSAGE_INVALID_INPUT, detail={"expected": sorted(SPLIT_KEYS)})
    for party, weight in document["shares"].items():
        if not isinstance(weight, str):  # the contract takes decimal strings, never JSON numbers
            raise RoyaltyError("invalid_weight", MESSAGE_INVALID_WEIGHT, detail={"party": party})
    return {"allocations": allocate(document["amount_minor"], document["shares"])}


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m legal.royalties", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    split = commands.add_parser("split", help='{"amount_minor", "shares"} -> {"allocations"}')
    split.add_argument("input", help="a JSON file, or - for stdin")
    report = commands.add_parser("statement", help="revenue, licence, rights, usage -> a statement")
    report.add_argument("input", help="a JSON file, or - for stdin")
    report.add_argument("--format", choices=("json", "csv", "html"), default="json")
    args = parser.parse_args(argv)
    try:
        document = _load(args.input)
        if args.command == "split":
            sys.stdout.write(json.dumps(split_command(document), ensure_ascii=False) + "\n")
            return 0
        result = statement(*statement_input(document))
    except RoyaltyError as error:
        print(f"royalties: error: {error}", file=sys.stderr)
        return 1
    render = {"json": statement_json, "csv": statement_csv, "html": statement_html}[args.format]
    sys.stdout.write(render(result))
    return 0
