"""Audio files that no row names: what a crash between writing a take's or an export's file
and committing its row leaves behind.

Nothing trusts such a file (verification looks exports up by their rows, and the evidence
bundle lists recorded exports only), but it takes disk space and an entry in the exports
index. `sweep_orphans` finds them and, unless asked only to list them, deletes them and
rebuilds the exports index from the database. Files younger than the grace period are left:
they may belong to a transaction still open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from generation.models import Export, Take

FOLDERS = {"takes": (Take, "audio"), "exports": (Export, "file")}
DEFAULT_GRACE_S = 3600


@dataclass(frozen=True)
class Orphan:
    path: Path
    size: int
    age_s: float


def orphans_find(*, grace_s: float = DEFAULT_GRACE_S) -> list[Orphan]:
    """Files under media/takes and media/exports older than `grace_s` that no row names."""
    media = Path(settings.MEDIA_ROOT)
    now = time.time()
    found = []
    for folder, (model, field) in FOLDERS.items():
        named = {media / name for name in model.objects.values_list(field, flat=True)}
        for path in sorted((media / folder).rglob("*")):
            if not path.is_file() or path in named:
                continue
            stat = path.stat()
            if now - stat.st_mtime >= grace_s:
                found.append(Orphan(path=path, size=stat.st_size, age_s=round(now - stat.st_mtime, 1)))
    return found


def orphans_sweep(*, grace_s: float = DEFAULT_GRACE_S) -> list[Orphan]:
    """Delete the orphans and rebuild the exports index without them; returns what went."""
    from provenance.exports_index import exports_index_rebuild

    orphans = orphans_find(grace_s=grace_s)
    for orphan in orphans:
        orphan.path.unlink(missing_ok=True)
    if any(orphan.path.is_relative_to(Path(settings.MEDIA_ROOT) / "exports") for orphan in orphans):
        exports_index_rebuild()
    return orphans
