from django.db.models import QuerySet

from accounts.models import Organisation
from similarity.models import Catalogue, Scan


def catalogue_list(*, organisation: Organisation) -> QuerySet[Catalogue]:
    return Catalogue.objects.filter(organisation=organisation)


def scan_list(*, organisation: Organisation) -> QuerySet[Scan]:
    return Scan.objects.filter(organisation=organisation)


# What a rights holder may learn of another organisation's take that matched its recordings:
# the matched stretch and its verdict, never the take's work, title or prompt.
RIGHTS_HOLDER_MATCH_FIELDS = ("recording_id", "score", "query_start_s", "reference_start_s", "duration_s")


def _own_matches(check, recordings: dict) -> dict | None:
    """The check as a rights holder may see it: only the matches of its `recordings` (by id),
    or None when it matched none of them."""
    own = [
        {k: m.get(k) for k in RIGHTS_HOLDER_MATCH_FIELDS} | {"recording": recordings[m["recording_id"]]}
        for m in check.matches
        if m.get("recording_id") in recordings
    ]
    if not own:
        return None
    return {"id": check.id, "verdict": check.verdict, "created_at": check.created_at, "matches": own}


def rights_holder_match_list(*, organisation: Organisation, limit: int = 500) -> list[dict]:
    """The latest output checks that matched the organisation's recordings, each with only
    the matches of its own recordings. Checks with matches are few next to all checks, so
    they are filtered here rather than by a JSON query per recording."""
    from similarity.models import OutputCheck, Recording

    recordings = {
        str(r.id): r
        for r in Recording.objects.filter(catalogue__organisation=organisation).select_related("catalogue")
    }
    if not recordings:
        return []
    found = []
    checks = OutputCheck.objects.exclude(matches=[]).order_by("-created_at", "id")
    for check in checks.only("id", "verdict", "matches", "created_at").iterator():
        if (own := _own_matches(check, recordings)) is not None:
            found.append(own)
            if len(found) >= limit:
                break
    return found


def rights_holder_match_get(*, organisation: Organisation, check_id) -> dict | None:
    from similarity.models import OutputCheck, Recording

    check = OutputCheck.objects.filter(id=check_id).first()
    if check is None:
        return None
    ids = [m.get("recording_id") for m in check.matches]
    recordings = {
        str(r.id): r
        for r in Recording.objects.filter(catalogue__organisation=organisation, id__in=ids).select_related(
            "catalogue"
        )
    }
    return _own_matches(check, recordings)


def recording_audio_path(*, organisation: Organisation, recording_id):
    """The stored audio of one of the organisation's recordings, or None. Only files the
    service keeps under MEDIA_ROOT (uploads: media/ingestions/<id>/) are served; a file the
    CLI ingested from elsewhere on disk is the operator's, not something a page should read."""
    from pathlib import Path

    from django.conf import settings

    from similarity.models import IngestionItem

    items = IngestionItem.objects.filter(
        recording_id=recording_id, recording__catalogue__organisation=organisation
    ).exclude(status=IngestionItem.Status.FAILED)
    media = Path(settings.MEDIA_ROOT).resolve()
    for file in items.values_list("file", flat=True):
        path = Path(file).resolve()
        if path.is_relative_to(media) and path.is_file():
            return path
    return None
