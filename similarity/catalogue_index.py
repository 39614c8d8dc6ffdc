"""Each catalogue's FAISS index as a file under media, loaded once per process and kept fresh.

The database holds every recording's fingerprint; an index file is a cache of it, updated on
ingest and rebuilt from the database by `manage.py rebuild_index` (or when it is missing).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from similarity.index import FingerprintIndex, gpu_count, layout_for
from similarity.models import Catalogue, Recording

_loaded: dict[str, tuple[float, FingerprintIndex]] = {}


def search_device() -> str:
    """Where index searches run: SIMILARITY_DEVICE, "auto" taking a GPU when faiss has one."""
    wanted = settings.SIMILARITY_DEVICE
    if wanted == "cuda" and not gpu_count():
        raise ImproperlyConfigured(
            "SIMILARITY_DEVICE: cuda was asked for, but faiss sees no GPU (faiss-cpu is installed, "
            "or no device is visible); install faiss-gpu or set it to auto or cpu"
        )
    return "cuda" if wanted == "cuda" or (wanted == "auto" and gpu_count()) else "cpu"


def index_path(catalogue: Catalogue) -> Path:
    return Path(settings.MEDIA_ROOT) / "indexes" / f"catalogue-{catalogue.id}.npz"


def index_rebuild(catalogue: Catalogue) -> FingerprintIndex:
    recordings = Recording.objects.filter(catalogue=catalogue).only("index_key", "fingerprint")
    fingerprints = [(r.index_key, r.fingerprint_values()) for r in recordings.iterator(chunk_size=500)]
    layout = layout_for(sum(len(values) for _, values in fingerprints))
    index = FingerprintIndex(layout, device=search_device())
    index.add_many(fingerprints)
    _store(catalogue, index)
    return index


def index_for(catalogue: Catalogue) -> FingerprintIndex:
    """The catalogue's index, read from its file when another process changed it."""
    path = index_path(catalogue)
    if not path.exists():
        return index_rebuild(catalogue)
    mtime = path.stat().st_mtime
    cached = _loaded.get(str(catalogue.id))
    if cached is None or cached[0] != mtime:
        cached = (mtime, FingerprintIndex.load(path, device=search_device()))
        _loaded[str(catalogue.id)] = cached
    return cached[1]


def index_add(catalogue: Catalogue, recordings: list[Recording]) -> None:
    """Add new recordings; the caller holds the catalogue's row lock (one writer at a time).
    A catalogue grown past the exhaustive layout's reach is re-indexed in the inverted one."""
    index = index_for(catalogue)
    fingerprints = [(r.index_key, r.fingerprint_values()) for r in recordings]
    layout = layout_for(index.items + sum(len(values) for _, values in fingerprints))
    index.add_many(fingerprints)
    if layout != index.layout:
        index = index.relaid(layout)
    _store(catalogue, index)


def _store(catalogue: Catalogue, index: FingerprintIndex) -> None:
    path = index_path(catalogue)
    path.parent.mkdir(parents=True, exist_ok=True)
    index.save(path)
    _loaded[str(catalogue.id)] = (path.stat().st_mtime, index)
