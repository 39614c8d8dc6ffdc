"""The log's consistency, checked the same way after concurrent appends and after faults."""

from __future__ import annotations

import itertools

from provenance import merkle
from provenance.models import Checkpoint, ContributionEvent, LogNode
from provenance.selectors import DatabaseNodes, consistency_proof, log_size
from provenance.services import log_integrate


def assert_log_consistent() -> dict:
    """Every event integrated once, gap-free; each work's chain linked; every checkpoint
    consistent with the next (RFC 9162 consistency proofs), as after concurrent appends."""
    while log_integrate() is not None:
        pass
    total = ContributionEvent.objects.count()
    assert sorted(ContributionEvent.objects.values_list("log_index", flat=True)) == list(range(total))
    assert log_size() == total
    for work_id in ContributionEvent.objects.values_list("work_id", flat=True).distinct():
        chain = list(
            ContributionEvent.objects.filter(work_id=work_id)
            .order_by("seq")
            .values_list("seq", "prev_hash", "event_hash")
        )
        assert [seq for seq, _, _ in chain] == list(range(1, len(chain) + 1))
        assert [prev for _, prev, _ in chain[1:]] == [digest for _, _, digest in chain[:-1]]
    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    if total:
        assert checkpoints[-1].tree_size == total
    source = DatabaseNodes()
    for earlier, later in itertools.pairwise(checkpoints):
        assert merkle.root(source, earlier.tree_size) == bytes(earlier.root_hash)
        proof = consistency_proof(first=earlier.tree_size, second=later.tree_size)
        merkle.verify_consistency(
            earlier.tree_size, later.tree_size, bytes(earlier.root_hash), bytes(later.root_hash), proof
        )
    assert LogNode.objects.count() == 2 * total - bin(total).count("1")
    return {"events": total, "checkpoints": len(checkpoints)}
