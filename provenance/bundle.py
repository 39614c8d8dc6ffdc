"""Reading evidence bundles safely: a zip that is hostile must not hurt the verifier.

Members are read into memory under limits (count, size, compression ratio), never written
to disk, so no path in the archive can reach outside anything. Standard library only.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

BUNDLE_FORMAT = "songproof-evidence/1"
REQUIRED_MEMBERS = (
    "manifest.json",
    "record.dsse.json",
    "log/checkpoint.txt",
    "log/proofs.json",
    "keys/log.vkey",
    "keys/record.pem",
    "report.html",
)
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB
RATIO_FLOOR = 1024**2


class BundleError(ValueError):
    pass


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if not path.parts or "\\" in name or path.is_absolute() or ":" in path.parts[0] or ".." in path.parts:
        raise BundleError(f"unsafe member path {name!r}")
    return str(path)


def read_bundle(source: str | bytes | io.BufferedIOBase) -> dict[str, bytes]:
    """Every file in the bundle, by its path; BundleError when the archive is unusable."""
    members = read_zip(source)
    missing = [name for name in REQUIRED_MEMBERS if name not in members]
    if missing:
        raise BundleError(f"missing members: {', '.join(missing)}")
    return members


def read_zip(source: str | bytes | io.BufferedIOBase) -> dict[str, bytes]:
    """Every file of a zip archive, by its (checked) path, read under the limits."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(stream)
    # zipfile answers some corrupt headers with ValueError (a negative seek) or EOFError.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise BundleError(f"not a zip archive ({exc})") from None
    with archive:
        # Not ZipInfo.is_dir(): it fails on an empty name, which _safe_name refuses instead.
        infos = [info for info in archive.infolist() if not info.filename.endswith("/")]
        if len(infos) > MAX_MEMBERS:
            raise BundleError(f"{len(infos)} members, more than {MAX_MEMBERS}")
        if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
            raise BundleError("declared size is over the limit")
        members: dict[str, bytes] = {}
        for info in infos:
            name = _safe_name(info.filename)
            if name in members:
                raise BundleError(f"duplicate member {name!r}")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise BundleError(f"member {name!r} expands more than {MAX_RATIO}x (zip bomb?)")
            members[name] = _read_member(archive, info)
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # The header's size can lie; never read more than it declares.
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise BundleError(f"member {info.filename!r} cannot be read ({exc})") from None
    if len(data) != info.file_size:
        raise BundleError(f"member {info.filename!r} is not the size its header declares")
    return data
