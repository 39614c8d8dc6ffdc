"""Property tests on the parsers that read what clients and catalogues send: evidence
bundles, CSV manifests, rights imports, usage CSVs, identifiers and audio headers.

Each parser may refuse its input only with its documented domain error (the API turns those
into 4xx); any other exception would be a 500. Hypothesis runs derandomized, so CI is
deterministic; regressions found by fuzzing are pinned with `@example`.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from config.errors import InvalidInputError
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
from legal.imports import rows_from_bytes
from legal.royalties import RoyaltyError
from legal.royalty_formats import read_usage_csv
from provenance.bundle import REQUIRED_MEMBERS, BundleError, read_bundle, read_zip
from similarity.fingerprint import AudioError, fingerprint
from similarity.ingestion import _manifest_metadata
from similarity.services import ingest_items

FUZZ = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
FUZZ_SLOW = settings(FUZZ, max_examples=25)  # each example runs ffmpeg

csv_cell = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(
    ["", "path", "type", "recording_id", "kind", "training", "output", "units", '"', ",", "\r", "\n", "\x00"]
)
csv_text = st.lists(st.lists(csv_cell, max_size=6), max_size=8).map(
    lambda rows: "\n".join(",".join(row) for row in rows)
) | st.text(max_size=300)


def _in_empty_folder(call):
    """Runs `call` in a fresh working directory and checks that nothing was written there."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            return call()
        finally:
            os.chdir(before)
            assert os.listdir(folder) == []


# --- evidence bundles -----------------------------------------------------------------

# One member named "" (zipfile writes it; `ZipInfo("").is_dir()` raises IndexError).
EMPTY_NAME_ZIP = (
    "504b0304140000000000000021008316dc8c01000000010000000000000078504b0102140314000000000000"
    "0021008316dc8c0100000001000000000000000000000000000000800100000000504b050600000000010001"
    "002e0000001f0000000000"
)

member_name = st.text(max_size=20) | st.sampled_from(
    ["../evil", "/etc/passwd", "C:/x", "a\\b", "", ".", "log/", *REQUIRED_MEMBERS]
)


@st.composite
def zips(draw) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # duplicate names are part of the point
        for name in draw(st.lists(member_name, max_size=8)):
            method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            body = draw(st.binary(max_size=64))
            with contextlib.suppress(ValueError, UnicodeEncodeError):  # a name zipfile refuses
                archive.writestr(zipfile.ZipInfo(name), body, compress_type=method)
    data = buffer.getvalue()
    if draw(st.booleans()):  # then damage it
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at + draw(st.integers(0, 8)) :]
    return data


@FUZZ
@given(data=st.binary(max_size=512) | zips())
@example(data=b"PK\x05\x06" + b"\x00" * 18)
@example(data=bytes.fromhex(EMPTY_NAME_ZIP))  # was an IndexError in ZipInfo.is_dir (500)
def test_bundle_reader_refuses_only_with_bundle_error_and_writes_nothing(data):
    for reader in (read_zip, read_bundle):
        try:
            members = _in_empty_folder(lambda reader=reader: reader(data))
        except BundleError:
            continue
        assert all(isinstance(name, str) and isinstance(body, bytes) for name, body in members.items())
        assert not any(name.startswith("/") or ".." in name.split("/") for name in members)


# --- CSV manifests, rights imports, usage --------------------------------------------


@FUZZ
@given(text=csv_text)
@example(text="path,title\nonly-a-path-column-missing-here")
@example(text="path\na\rb\n")
def test_manifest_upload_refuses_only_with_invalid_input(text):
    try:
        metadata = _manifest_metadata(text.encode("utf-8", "surrogatepass"))
    except InvalidInputError:
        return
    assert all(isinstance(values, dict) for values in metadata.values())


@FUZZ
@given(data=csv_text.map(lambda text: text.encode("utf-8", "surrogatepass")) | st.binary(max_size=200))
@example(data=b"\xff\xfe")  # not UTF-8: was a UnicodeDecodeError
@example(data=b"title,path\nA\n")  # a row without its path: was a TypeError
def test_manifest_file_refuses_only_with_invalid_input(data):
    with tempfile.TemporaryDirectory() as folder:
        manifest = Path(folder) / "manifest.csv"
        manifest.write_bytes(data)
        try:
            items = ingest_items(manifest)
        except InvalidInputError:
            return
        assert all(isinstance(item.metadata, dict) for item in items)


@FUZZ
@given(
    data=csv_text.map(str.encode) | st.binary(max_size=200), name=st.sampled_from(["x.csv", "x.json", "x"])
)
@example(data=b"\xff", name="x.csv")  # not UTF-8: was a UnicodeDecodeError (500)
@example(data=b"[" * 100_000, name="x.json")  # deep nesting: was a RecursionError (500)
@example(data=b"type\na\rb\n", name="x.csv")
def test_rights_import_refuses_only_with_invalid_input(data, name):
    try:
        rows = rows_from_bytes(data, name=name)
    except InvalidInputError:
        return
    assert all(isinstance(row.values, dict) for row in rows)


@FUZZ
@given(text=csv_text)
@example(text="recording_id,kind\na\rb,training\n")  # lone CR: was a csv.Error (500)
@example(text="recording_id,kind\n" + "x" * 200_000 + ",training\n")  # over csv's field limit
def test_usage_csv_refuses_only_with_royalty_error(text):
    try:
        lines = read_usage_csv(text)
    except RoyaltyError as exc:
        assert exc.code == "invalid_usage"
        return
    assert all(line.kind in ("training", "output") and line.units >= 0 for line in lines)


# --- identifiers ----------------------------------------------------------------------


@FUZZ
@given(value=st.text(max_size=20) | st.none() | st.integers() | st.binary(max_size=12))
def test_identifier_normalisers_normalise_or_refuse(value):
    for normalise, error in (
        (isrc_normalise, InvalidIsrcError),
        (iswc_normalise, InvalidIswcError),
        (ipi_normalise, InvalidIpiError),
    ):
        try:
            canonical = normalise(value)
        except error:
            continue
        assert normalise(canonical) == canonical  # idempotent


@FUZZ
@given(
    country=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    registrant=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3),
    year=st.integers(0, 99),
    designation=st.integers(0, 99_999),
)
def test_valid_isrc_round_trips(country, registrant, year, designation):
    isrc = f"{country}{registrant}{year:02d}{designation:05d}"
    assert isrc_normalise(isrc) == isrc
    assert isrc_normalise(f" {country}-{registrant.lower()}-{year:02d}-{designation:05d} ") == isrc


@FUZZ
@given(base=st.integers(0, 999_999_999).map(lambda n: f"{n:09d}"))
def test_valid_iswc_round_trips_and_a_wrong_check_digit_is_refused(base):
    iswc = f"T{base}{iswc_check_digit(base)}"
    assert iswc_normalise(iswc) == iswc
    assert iswc_normalise(iswc_display(iswc)) == iswc
    with pytest.raises(InvalidIswcError):
        iswc_normalise(f"T{base}{(iswc_check_digit(base) + 1) % 10}")


@FUZZ
@given(base=st.integers(0, 999_999_999).map(lambda n: f"{n:09d}"))
def test_valid_ipi_round_trips(base):
    check = ipi_check(base)
    if check is None:
        return  # never assigned
    ipi = f"{base}{check:02d}"
    assert ipi_normalise(ipi) == ipi
    assert ipi_normalise(f"{ipi[:3]} {ipi[3:6]} {ipi[6:]}") == ipi


# --- audio headers --------------------------------------------------------------------

AUDIO_MAGIC = [
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"fLaC",
    b"ID3\x04\x00\x00\x00\x00\x00\x00",
    b"OggS\x00\x02",
    b"\xff\xfb",
]


@FUZZ_SLOW
@given(header=st.sampled_from(AUDIO_MAGIC), body=st.binary(max_size=2048))
@example(header=b"RIFF", body=b"")
def test_audio_with_a_plausible_header_refuses_only_with_audio_error(header, body):
    try:
        print_ = fingerprint(header + body)
    except AudioError:
        return
    assert print_.values.size > 0
