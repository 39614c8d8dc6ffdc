"""Writes to the provenance record: events, and their integration into the Merkle log."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership
from config.celery import app as celery_app
from config.errors import InvalidInputError
from generation.models import Work
from provenance import merkle
from provenance.canonical import CanonicalizationError
from provenance.keys import active_key, private_key
from provenance.models import Checkpoint, ContributionEvent, KeyPurpose, LogNode, LogState
from provenance.note import Checkpoint as CheckpointNote
from provenance.note import sign_note
from provenance.record import EVENT_VERSION, canonical_body, event_hash, sign_event_hash
from provenance.selectors import DatabaseNodes, checkpoint_latest

SYSTEM_ACTOR = {"user": None, "role": "system"}
INTEGRATION_DELAY_S = 0.2
_integration_due = 0.0  # per process: when the integration it last scheduled runs
MESSAGE_PAYLOAD_NOT_JSON = "The event payload is not canonical JSON."


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: the exact text that is hashed."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def actor_of(membership: Membership | None) -> dict[str, Any]:
    if membership is None:
        return dict(SYSTEM_ACTOR)
    return {"user": membership.user.username, "role": membership.role}


@dataclass(frozen=True)
class EventDraft:
    kind: str
    payload: dict[str, Any]
    actor: Membership | None


@transaction.atomic
def contribution_record(
    *, work: Work, kind: str, actor: Membership | None, payload: dict[str, Any]
) -> ContributionEvent:
    """Append a signed event to the work's chain. The only way an event is ever written
    (with its batch form below).

    Call it inside the transaction that makes the change it records: both commit, or neither.
    """
    return contribution_record_many(work=work, drafts=[EventDraft(kind, payload, actor)])[0]


@transaction.atomic
def contribution_record_many(*, work: Work, drafts: Sequence[EventDraft]) -> list[ContributionEvent]:
    """Append several events to the work's chain in one transaction, in the order given."""
    seq, prev_hash = _lock_chain_head(work)
    key = active_key(KeyPurpose.RECORD)
    signer = private_key(key)
    now = timezone.now()
    events = []
    for draft in drafts:
        seq += 1
        event = _signed_event(work, seq, prev_hash, draft, key.key_id, signer, now)
        events.append(event)
        prev_hash = event.event_hash
    ContributionEvent.objects.bulk_create(events)
    # robust: the events are committed by now; a failure to integrate them must not turn the
    # caller's success into an error (the next integration picks them up).
    transaction.on_commit(_schedule_integration, robust=True)
    return events


@transaction.atomic
def record_head_lock(*, work: Work) -> dict[str, Any]:
    """The work's record head, locked until the caller's transaction ends (so the next
    event recorded in it follows this head), with the latest checkpoint of the log.

    The head may not be in the log yet (integration runs after commit): its log_index is
    then null, and the checkpoint is the latest one, which precedes it.
    """
    seq, head_hash = _lock_chain_head(work)
    log_index = (
        ContributionEvent.objects.filter(work=work, seq=seq).values_list("log_index", flat=True).first()
    )
    checkpoint = checkpoint_latest()
    return {
        "work": str(work.pk),
        "organisation": str(work.organisation_id),
        "head": {"seq": seq, "event_hash": head_hash, "log_index": log_index},
        "checkpoint": None
        if checkpoint is None
        else {
            "origin": settings.SONGPROOF_LOG_ORIGIN,
            "tree_size": checkpoint.tree_size,
            "root_hash": bytes(checkpoint.root_hash).hex(),
        },
    }


def _lock_chain_head(work: Work) -> tuple[int, str | None]:
    """Lock the work row (it serialises the work's chain), then read its last event.

    Two statements on purpose: in READ COMMITTED a subquery inside the locking SELECT keeps
    the snapshot taken before it waited for the lock, and would miss the event that the
    lock holder just committed.
    """
    Work.objects.select_for_update().filter(pk=work.pk).values_list("pk").get()
    head = (
        ContributionEvent.objects.filter(work=work).order_by("-seq").values_list("seq", "event_hash").first()
    )
    return head if head else (0, None)


def _signed_event(work, seq, prev_hash, draft: EventDraft, key_id: str, signer, now) -> ContributionEvent:
    body = {
        "v": EVENT_VERSION,
        "work": str(work.pk),
        "organisation": str(work.organisation_id),
        "seq": seq,
        "kind": draft.kind,
        "actor": actor_of(draft.actor),
        "payload": draft.payload,
        "created_at": timestamp(now),
        "prev_hash": prev_hash,
        "key_id": key_id,
    }
    try:
        canonical = canonical_body(body)
    except CanonicalizationError as exc:
        raise InvalidInputError(MESSAGE_PAYLOAD_NOT_JSON, detail={"payload": str(exc)}) from exc
    digest = event_hash(canonical)
    return ContributionEvent(
        work=work,
        organisation_id=work.organisation_id,
        seq=seq,
        kind=draft.kind,
        body=canonical.decode(),
        created_at=now,
        prev_hash=prev_hash,
        event_hash=digest,
        signature=sign_event_hash(digest, signer),
        key_id=key_id,
    )


def _schedule_integration() -> None:
    """After each commit: have the new events integrated into the log soon.

    Eager (embedded default): now, inline. With workers: one delayed task per process per
    INTEGRATION_DELAY_S rather than a message per event; the task integrates everything
    committed before it runs, and the beat backstop catches any event that slips past.
    """
    from provenance.tasks import log_integrate as log_integrate_task  # tasks import services

    global _integration_due
    if celery_app.conf.task_always_eager:
        log_integrate_task.delay()
        return
    now = time.monotonic()
    if now < _integration_due:
        return  # the integration already scheduled runs after this commit
    _integration_due = now + INTEGRATION_DELAY_S
    log_integrate_task.apply_async(countdown=INTEGRATION_DELAY_S)


@transaction.atomic
def log_integrate(*, limit: int | None = None) -> Checkpoint | None:
    """Give pending events consecutive log indexes, store the new nodes, sign a checkpoint.

    Concurrent callers queue on the LogState row lock, so indexes have no gap and no
    duplicate, and every checkpoint extends the previous one. Returns the new checkpoint,
    or None when nothing was pending.
    """
    state = LogState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        # The very first integration; get_or_create survives a concurrent one (it retries the
        # get on conflict), and the lock is then taken as usual.
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
    root_hash = _append_leaves([bytes.fromhex(digest) for _, digest in pending], first)
    state.size = first + len(pending)
    state.save(update_fields=["size"])
    return _sign_checkpoint(state.size, root_hash)


def _assign_log_indexes(event_ids: list[int], first: int) -> None:
    """Number the events first, first+1, ... in id order, in one statement.

    The single sanctioned write to an event: NULL -> its index (the PostgreSQL trigger
    allows exactly this transition; the model's own update() refuses every write, so this
    is SQL). Plain SQL also avoids the ORM's CASE expressions, which cost more than the
    rest of the integration together.
    """
    table = ContributionEvent._meta.db_table
    placeholders = ", ".join(["%s"] * len(event_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET log_index = %s + ranked.position "  # noqa: S608 (table name is ours)
            f"FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS position FROM {table} "
            f"WHERE id IN ({placeholders})) AS ranked "
            f"WHERE {table}.id = ranked.id AND {table}.log_index IS NULL",
            [first, *event_ids],
        )
        if cursor.rowcount != len(event_ids):
            raise RuntimeError(f"log integration numbered {cursor.rowcount} of {len(event_ids)} events")


def _append_leaves(event_hashes: list[bytes], first: int) -> bytes:
    """Store the nodes the new leaves complete; return the new root (from the right edge,
    which is all a root needs)."""
    known = dict(DatabaseNodes().nodes(merkle.right_edge(first)))
    new_nodes = []
    for offset, digest in enumerate(event_hashes):
        for node, value in merkle.nodes_completed_by(first + offset, merkle.leaf_hash(digest), known):
            known[node] = value
            new_nodes.append(LogNode(key=LogNode.key_for(*node), hash=value))
    LogNode.objects.bulk_create(new_nodes, batch_size=2000)
    return merkle.fold([known[node] for node in merkle.right_edge(first + len(event_hashes))])


def _sign_checkpoint(size: int, root_hash: bytes) -> Checkpoint:
    key = active_key(KeyPurpose.LOG)
    origin = settings.SONGPROOF_LOG_ORIGIN
    note = sign_note(
        CheckpointNote(origin=origin, size=size, root_hash=root_hash).text(),
        name=origin,
        private_key=private_key(key),
    )
    return Checkpoint.objects.create(tree_size=size, root_hash=root_hash, note=note, key_id=key.key_id)
