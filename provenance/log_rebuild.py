"""Rebuild the log's node cache from the events, and check it against the signed checkpoints.

The stored nodes (LogNode) are a cache: every one of them follows from the events' hashes
in log order. A backup may leave them out (scripts/backup does), and a restore then has to
put them back before any proof can be served. Nodes, events and checkpoints are append-only
(migration 0002's triggers), so a rebuild can only *add* the nodes that are missing: it
recomputes the whole tree in memory, a chunk of leaves at a time, inserts what is absent,
and reports every stored node that differs and every checkpoint whose root, size or
signature does not hold. Nothing stored is ever changed; a mismatch is for a person to
investigate, not for this code to paper over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from provenance import merkle
from provenance.models import Checkpoint, ContributionEvent, KeyPurpose, LogNode, SigningKey
from provenance.note import NoteError, NoteVerifier, note_key_id, open_note, parse_checkpoint
from provenance.selectors import DatabaseNodes, log_size

CHUNK = 20_000  # leaves per read: bounds memory at any log size


@dataclass
class LogRebuildReport:
    tree_size: int = 0
    root_hash: str | None = None
    nodes_computed: int = 0
    nodes_missing: int = 0
    nodes_inserted: int = 0
    checkpoints_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.nodes_missing == self.nodes_inserted

    def as_dict(self) -> dict:
        return vars(self) | {"ok": self.ok}


def log_rebuild(*, write: bool) -> LogRebuildReport:
    """Recompute every node and checkpoint root from the events; with `write`, insert the
    nodes the cache lacks (each chunk in its own transaction, so a large log need not be
    rebuilt in one)."""
    report = LogRebuildReport(tree_size=log_size())
    checkpoints = {c.tree_size: c for c in Checkpoint.objects.order_by("tree_size")}
    verifiers = _log_verifiers()
    edge: dict[merkle.Node, bytes] = {}
    for first in range(0, report.tree_size, CHUNK):
        rows = list(
            ContributionEvent.objects.filter(log_index__gte=first, log_index__lt=first + CHUNK)
            .order_by("log_index")
            .values_list("log_index", "event_hash")
        )
        expected = list(range(first, min(first + CHUNK, report.tree_size)))
        if [index for index, _ in rows] != expected:
            report.problems.append(f"events with log indexes {expected[0]}..{expected[-1]} are not all there")
            return report
        completed = _nodes_of_chunk(rows, edge, checkpoints, verifiers, report)
        _compare_and_fill(completed, report, write=write)
    report.root_hash = merkle.fold([edge[n] for n in merkle.right_edge(report.tree_size)]).hex()
    for size in sorted(set(checkpoints) - set(range(1, report.tree_size + 1))):
        report.problems.append(f"checkpoint at {size} is beyond the log's size {report.tree_size}")
    return report


def _nodes_of_chunk(rows, edge, checkpoints, verifiers, report) -> dict[merkle.Node, bytes]:
    """Append the chunk's leaves to `edge` (the tree's right edge, updated in place), checking
    each checkpoint on the way; the nodes the chunk completed."""
    completed: dict[merkle.Node, bytes] = {}
    for index, event_hash in rows:
        for node, value in merkle.nodes_completed_by(
            index, merkle.leaf_hash(bytes.fromhex(event_hash)), edge
        ):
            edge[node] = completed[node] = value
        size = index + 1
        for node in set(edge) - set(merkle.right_edge(size)):
            del edge[node]
        if size in checkpoints:
            root = merkle.fold([edge[n] for n in merkle.right_edge(size)])
            report.problems += _checkpoint_problems(checkpoints[size], root, verifiers)
            report.checkpoints_checked += 1
    report.nodes_computed += len(completed)
    return completed


def _compare_and_fill(completed: dict[merkle.Node, bytes], report: LogRebuildReport, *, write: bool) -> None:
    stored = DatabaseNodes().nodes(completed)
    for node, value in stored.items():
        if value != completed[node]:
            report.problems.append(f"stored node {node} differs from the one the events give")
    missing = [node for node in completed if node not in stored]
    report.nodes_missing += len(missing)
    if write and missing:
        with transaction.atomic():
            LogNode.objects.bulk_create(
                [LogNode(key=LogNode.key_for(*node), hash=completed[node]) for node in missing],
                batch_size=2000,
            )
        report.nodes_inserted += len(missing)


def _log_verifiers() -> dict[str, NoteVerifier]:
    """Every log key, retired ones included, as a note verifier under the log's origin."""
    origin = settings.SONGPROOF_LOG_ORIGIN
    return {
        key.key_id: NoteVerifier(origin, note_key_id(origin, bytes(key.public_key)), bytes(key.public_key))
        for key in SigningKey.objects.filter(purpose=KeyPurpose.LOG)
    }


def _checkpoint_problems(
    checkpoint: Checkpoint, root: bytes, verifiers: dict[str, NoteVerifier]
) -> list[str]:
    where = f"checkpoint at {checkpoint.tree_size}"
    problems = []
    if bytes(checkpoint.root_hash) != root:
        problems.append(f"{where}: its root is not the root the events give")
    verifier = verifiers.get(checkpoint.key_id)
    if verifier is None:
        return [*problems, f"{where}: signed by unknown log key {checkpoint.key_id}"]
    try:
        signed = parse_checkpoint(open_note(checkpoint.note, verifier))
    except NoteError as exc:
        return [*problems, f"{where}: {exc}"]
    if (signed.origin, signed.size, signed.root_hash) != (verifier.name, checkpoint.tree_size, root):
        problems.append(f"{where}: the signed note does not say this origin, size and root")
    return problems
