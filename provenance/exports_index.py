"""The exports index: every export's fingerprint (its soft binding), searched to find the
export a stripped or re-encoded copy came from. Separate from the catalogues' indexes.

One file under media, loaded once per process and reloaded when another process changed it
(by mtime); the database (Export.fingerprint) is the source of truth, so a missing file is
rebuilt from it, and `manage.py rebuild_index` rebuilds it too. Writers take an exclusive
file lock: two exports at once must not each save an index without the other's entry.
An entry whose export was rolled back is harmless: lookups resolve keys in the database.
"""

from __future__ import annotations

import fcntl
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from generation.models import Export
from similarity.index import FingerprintIndex, layout_for

_loaded: dict[str, tuple[int, FingerprintIndex]] = {}
_thread_lock = threading.Lock()


def index_path() -> Path:
    return Path(settings.MEDIA_ROOT) / "indexes" / "exports.npz"


@contextmanager
def _writer():
    """One writer at a time, across threads and processes."""
    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(path.with_name("exports.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _rebuild() -> FingerprintIndex:
    exports = Export.objects.filter(index_key__isnull=False).only("index_key", "fingerprint")
    fingerprints = [(e.index_key, e.fingerprint_values()) for e in exports.iterator(chunk_size=500)]
    index = FingerprintIndex(layout_for(sum(len(values) for _, values in fingerprints)))
    index.add_many(fingerprints)
    _store(index)
    return index


def exports_index_rebuild() -> FingerprintIndex:
    with _writer():
        return _rebuild()


def exports_index() -> FingerprintIndex:
    """The index, read from its file when another process changed it since."""
    path = index_path()
    if not path.exists():
        return exports_index_rebuild()
    mtime = path.stat().st_mtime_ns
    cached = _loaded.get(str(path))
    if cached is None or cached[0] != mtime:
        cached = (mtime, FingerprintIndex.load(path))
        _loaded[str(path)] = cached
    return cached[1]


def exports_index_add(exports: list[Export]) -> None:
    """Index new exports (those with a fingerprint); an index grown past the exhaustive
    layout's reach is re-laid as an inverted one."""
    fingerprints = [(e.index_key, e.fingerprint_values()) for e in exports if e.index_key is not None]
    if not fingerprints:
        return
    with _writer():
        if not index_path().exists():
            _rebuild()  # from the database, which already holds these exports
            return
        # A private copy from the file: readers in other threads keep searching theirs.
        index = FingerprintIndex.load(index_path())
        layout = layout_for(index.items + sum(len(values) for _, values in fingerprints))
        index.add_many(fingerprints)
        if layout != index.layout:
            index = index.relaid(layout)
        _store(index)


def _store(index: FingerprintIndex) -> None:
    path = index_path()
    index.save(path)
    _loaded[str(path)] = (path.stat().st_mtime_ns, index)
