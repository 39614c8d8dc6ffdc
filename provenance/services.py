"""Writes to the provenance record: events, and their integration into the Merkle log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.models import Membership
from config.errors import InvalidInputError
from generation.models import Work
from provenance import merkle
from provenance.canonical import CanonicalizationError
from provenance.keys import active_key, private_key
from provenance.models import Checkpoint, ContributionEvent, KeyPurpose, LogNode, LogState
from provenance.note import Checkpoint as CheckpointNote
from provenance.note import sign_note
from provenance.record import EVENT_VERSION, canonical_body, event_hash, sign_event_hash
from provenance.selectors import DatabaseNodes

logger = logging.getLogger(__name__)
SYSTEM_ACTOR = {"user": None, "role": "system"}
MESSAGE_PAYLOAD_NOT_JSON = "The event payload is not canonical JSON."


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: the exact text that is hashed."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def actor_of(membership: Membership | None) -> dict[str, Any]:
    if membership is None:
        return dict(SYSTEM_ACTOR)
    return {"user": membership.user.username, "role": membership.role}


@transaction.atomic
def contribution_record(
    *, work: Work, kind: str, actor: Membership | None, payload: dict[str, Any]
) -> ContributionEvent:
    """Append a signed event to the work's chain. The only way an event is ever written.

    Call it inside the transaction that makes the change it records: both commit, or neither.
    """
    # The work row lock serialises each work's chain: one seq, one prev_hash per event.
    Work.objects.select_for_update().only("id").get(pk=work.pk)
    previous = ContributionEvent.objects.filter(work=work).order_by("-seq").only("seq", "event_hash").first()
    key = active_key(KeyPurpose.RECORD)
    now = timezone.now()
    body = {
        "v": EVENT_VERSION,
        "work": str(work.pk),
        "organisation": str(work.organisation_id),
        "seq": previous.seq + 1 if previous else 1,
        "kind": kind,
        "actor": actor_of(actor),
        "payload": payload,
        "created_at": timestamp(now),
        "prev_hash": previous.event_hash if previous else None,
        "key_id": key.key_id,
    }
    try:
        canonical = canonical_body(body)
    except CanonicalizationError as exc:
        raise InvalidInputError(MESSAGE_PAYLOAD_NOT_JSON, detail={"payload": str(exc)}) from exc
    digest = event_hash(canonical)
    event = ContributionEvent(
        work=work,
        organisation_id=work.organisation_id,
        seq=body["seq"],
        kind=kind,
        body=canonical.decode(),
        created_at=now,
        prev_hash=body["prev_hash"],
        event_hash=digest,
        signature=sign_event_hash(digest, private_key(key)),
        key_id=key.key_id,
    )
    event.save()
    transaction.on_commit(_schedule_integration)
    return event


def _schedule_integration() -> None:
    from provenance.tasks import log_integrate  # tasks import services

    log_integrate.delay()


@transaction.atomic
def log_integrate(*, limit: int | None = None) -> Checkpoint | None:
    """Give pending events consecutive log indexes, store the new nodes, sign a checkpoint.

    Concurrent callers queue on the LogState row lock, so indexes have no gap and no
    duplicate, and every checkpoint extends the previous one. Returns the new checkpoint,
    or None when nothing was pending.
    """
    # get_or_create survives a concurrent first creation (it retries the get on conflict).
    LogState.objects.get_or_create(pk=1)
    state = LogState.objects.select_for_update().get(pk=1)
    pending = list(
        ContributionEvent.objects.filter(log_index__isnull=True)
        .order_by("id")
        .values_list("id", "event_hash")[: limit or settings.SONGPROOF_LOG_BATCH]
    )
    if not pending:
        return None
    first = state.size
    _assign_log_indexes([event_id for event_id, _ in pending], first)
    _append_leaves([bytes.fromhex(digest) for _, digest in pending], first)
    state.size = first + len(pending)
    state.save(update_fields=["size"])
    return _sign_checkpoint(state.size)


def _assign_log_indexes(event_ids: list[int], first: int) -> None:
    # The single sanctioned write to an event: NULL -> its index (the PostgreSQL trigger
    # allows exactly this transition). AppendOnlyQuerySet.update refuses it, so the base
    # QuerySet's update is called directly.
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        whens = [
            When(id=event_id, then=Value(first + start + offset)) for offset, event_id in enumerate(chunk)
        ]
        models.QuerySet.update(
            ContributionEvent.objects.filter(id__in=chunk, log_index__isnull=True),
            log_index=Case(*whens, output_field=models.BigIntegerField()),
        )


def _append_leaves(event_hashes: list[bytes], first: int) -> None:
    known = dict(DatabaseNodes().nodes(merkle.right_edge(first)))
    new_nodes = []
    for offset, digest in enumerate(event_hashes):
        for node, value in merkle.nodes_completed_by(first + offset, merkle.leaf_hash(digest), known):
            known[node] = value
            new_nodes.append(LogNode(key=LogNode.key_for(*node), hash=value))
    LogNode.objects.bulk_create(new_nodes, batch_size=2000)


def _sign_checkpoint(size: int) -> Checkpoint:
    root_hash = merkle.root(DatabaseNodes(), size)
    key = active_key(KeyPurpose.LOG)
    origin = settings.SONGPROOF_LOG_ORIGIN
    note = sign_note(
        CheckpointNote(origin=origin, size=size, root_hash=root_hash).text(),
        name=origin,
        private_key=private_key(key),
    )
    return Checkpoint.objects.create(tree_size=size, root_hash=root_hash, note=note, key_id=key.key_id)
