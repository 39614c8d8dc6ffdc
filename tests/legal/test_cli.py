"""`python -m legal.royalties`: the split contract and its error exits, run as a process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def royalties(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "legal.royalties", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_split_prints_the_allocations(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"amount_minor": 100, "shares": {"b": "1", "c": "1", "a": "1"}}))

    done = royalties("split", str(path))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"allocations": {"a": 34, "b": 33, "c": 33}}
    assert done.stderr == ""


def test_split_reads_stdin_with_a_dash():
    done = royalties(
        "split", "-", stdin='{"amount_minor": 10, "shares": {"x": "0.25", "y": "0.75", "z": "0"}}'
    )

    assert done.returncode == 0, done.stderr
    # 2.5 and 7.5: equal remainders, so the odd unit goes to the smaller id.
    assert json.loads(done.stdout) == {"allocations": {"x": 3, "y": 7, "z": 0}}


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ('{"amount_minor": -1, "shares": {"a": "1"}}', "invalid_amount"),
        ('{"amount_minor": 1.5, "shares": {"a": "1"}}', "invalid_amount"),
        ('{"amount_minor": 10, "shares": {"a": "-1", "b": "2"}}', "invalid_weight"),
        ('{"amount_minor": 10, "shares": {"a": 1}}', "invalid_weight"),
        ('{"amount_minor": 10, "shares": {"a": "one"}}', "invalid_weight"),
        ('{"amount_minor": 10, "shares": {"a": "0", "b": "0"}}', "zero_weights"),
        ('{"amount_minor": 10, "shares": {}}', "zero_weights"),
        ('{"amount_minor": 10, "shares": {"a": "1", "a": "2"}}', "duplicate_party"),
        ('{"amount_minor": 10}', "invalid_input"),
        ('{"amount_minor": 10, "shares": {"a": "1"}, "currency": "EUR"}', "invalid_input"),
        ("[1, 2]", "invalid_input"),
        ('{"amount_minor": 10, ', "invalid_json"),
    ],
)
def test_split_refuses_bad_input_with_one_line_on_stderr(document, code):
    done = royalties("split", "-", stdin=document)

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"royalties: error: {code}: ")


def test_split_of_a_missing_file_fails_cleanly(tmp_path):
    done = royalties("split", str(tmp_path / "missing.json"))

    assert done.returncode == 1
    assert done.stderr.startswith("royalties: error: unreadable_input: ")


def test_a_malformed_command_line_exits_2():
    assert royalties("divide", "x.json").returncode == 2


STATEMENT_INPUT = {
    "revenue": {
        "amount_minor": 1001,
        "currency": "SEK",
        "period": "2026-03",
        "training_pool_share": "0.6",
        "output_pool_share": "0.4",
    },
    "licence": {"licence_id": "L-1", "licensee_id": "acme", "master_share": "0.5"},
    "rights": [
        {
            "recording_id": "r1",
            "master": [{"party_id": "label", "share": "1"}],
            "composition": [{"party_id": "writer", "share": "1"}],
        },
        {"recording_id": "r2", "master": [{"party_id": "label", "share": "1"}]},
    ],
    "usage": [
        {"recording_id": "r1", "kind": "training"},
        {"recording_id": "r2", "kind": "output", "matched_ms": 3000},
    ],
}


@pytest.mark.parametrize("form", ["json", "csv", "html"])
def test_statement_command_renders_each_format(form):
    done = royalties("statement", "-", "--format", form, stdin=json.dumps(STATEMENT_INPUT))

    assert done.returncode == 0, done.stderr
    if form == "json":
        document = json.loads(done.stdout)
        assert document["pools"] == {"output": 400, "training": 601}
        assert sum(h["total_minor"] for h in document["holders"]) == 1001
    else:
        assert "SEK" in done.stdout


def test_statement_command_refuses_an_unknown_currency():
    document = json.loads(json.dumps(STATEMENT_INPUT))
    document["revenue"]["currency"] = "ABC"

    done = royalties("statement", "-", stdin=json.dumps(document))

    assert done.returncode == 1
    assert done.stderr.startswith("royalties: error: unknown_currency: ")


def test_statement_command_names_a_missing_field():
    document = json.loads(json.dumps(STATEMENT_INPUT))
    del document["licence"]["licensee_id"]

    done = royalties("statement", "-", stdin=json.dumps(document))

    assert done.returncode == 1
    assert '"licence.licensee_id"' in done.stderr
