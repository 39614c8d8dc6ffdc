"""Malformed and hostile archives are refused before anything is trusted or written."""

import io
import subprocess
import sys
import zipfile

import pytest

from provenance.bundle import REQUIRED_MEMBERS, BundleError, read_bundle


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)  # ZipInfo keeps names as given (no sanitising)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


COMPLETE = {name: b"{}" for name in REQUIRED_MEMBERS}


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (b"this is not a zip", "not a zip archive"),
        (_zip({"manifest.json": b"{}"}), "missing members"),
        (_zip(COMPLETE | {"/etc/passwd": b"x"}), "unsafe member path"),
        (_zip(COMPLETE | {"../../outside.txt": b"x"}), "unsafe member path"),
        (_zip(COMPLETE | {"audio/..\\..\\x.wav": b"x"}), "unsafe member path"),
        (_zip(COMPLETE | {"C:/windows.txt": b"x"}), "unsafe member path"),
        (
            _zip(COMPLETE | {"audio/bomb.wav": bytes(50 * 1024**2)}, compression=zipfile.ZIP_DEFLATED),
            "zip bomb",
        ),
    ],
    ids=["not-zip", "missing", "absolute", "dotdot", "backslash", "drive", "bomb"],
)
def test_hostile_archives_are_refused(archive, message):
    with pytest.raises(BundleError, match=message):
        read_bundle(archive)


def test_duplicate_members_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in COMPLETE.items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("report.html", b"<p>second</p>")

    with pytest.raises(BundleError, match="duplicate member"):
        read_bundle(buffer.getvalue())


def test_cli_refuses_a_hostile_bundle_with_exit_2_and_writes_nothing(tmp_path):
    hostile = tmp_path / "hostile.zip"
    hostile.write_bytes(_zip(COMPLETE | {"../escaped.txt": b"x"}))
    before = sorted(p.name for p in tmp_path.parent.iterdir())

    result = subprocess.run(
        [sys.executable, "-m", "provenance.verify", str(hostile)], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "unsafe member path" in result.stdout
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.zip"]


def test_cli_reports_a_missing_file_clearly(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "provenance.verify", str(tmp_path / "absent.zip"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert '"ok": false' in result.stdout
