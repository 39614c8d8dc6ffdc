"""Reads of the provenance record and the log, scoped to an organisation where they hold its data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Organisation
from provenance import merkle
from provenance.models import Checkpoint, ContributionEvent, LogNode, LogState, SigningKey


class DatabaseNodes:
    """The log's stored nodes, read in one query per proof (merkle.NodeSource)."""

    def nodes(self, wanted: Iterable[merkle.Node]) -> Mapping[merkle.Node, bytes]:
        keys = {LogNode.key_for(level, index): (level, index) for level, index in wanted}
        rows = LogNode.objects.filter(key__in=keys).values_list("key", "hash")
        return {keys[key]: bytes(value) for key, value in rows}


def event_list(*, organisation: Organisation, work_id) -> QuerySet[ContributionEvent]:
    return ContributionEvent.objects.filter(organisation=organisation, work_id=work_id).order_by("seq")


def event_by_hash(*, organisation: Organisation, event_hash: str) -> ContributionEvent | None:
    return ContributionEvent.objects.filter(organisation=organisation, event_hash=event_hash).first()


def log_size() -> int:
    state = LogState.objects.filter(pk=1).first()
    return state.size if state else 0


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    root_hash: bytes
    audit_path: list[bytes]


def inclusion_proof(*, event: ContributionEvent, tree_size: int) -> InclusionProof:
    source = DatabaseNodes()
    path = merkle.inclusion_proof(source, event.log_index, tree_size)
    return InclusionProof(event.log_index, tree_size, merkle.root(source, tree_size), path)


def consistency_proof(*, first: int, second: int) -> list[bytes]:
    return merkle.consistency_proof(DatabaseNodes(), first, second)


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.order_by("purpose", "created_at").defer("encrypted_private_key")
