import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance import merkle


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, written as the RFC states it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


class MemoryNodes:
    def __init__(self) -> None:
        self.stored: dict[merkle.Node, bytes] = {}
        self.reads = 0

    def nodes(self, wanted):
        wanted = list(wanted)
        self.reads += len(wanted)
        return {node: self.stored[node] for node in wanted if node in self.stored}

    def append(self, index: int, data: bytes) -> None:
        edge = {node: self.stored[node] for node in merkle.right_edge(index)}
        self.stored.update(merkle.nodes_completed_by(index, merkle.leaf_hash(data), edge))


def tree(size: int) -> tuple[MemoryNodes, list[bytes]]:
    source, leaves = MemoryNodes(), [i.to_bytes(4, "big") for i in range(size)]
    for index, data in enumerate(leaves):
        source.append(index, data)
    return source, leaves


def test_roots_match_the_rfc_definition_at_every_size():
    source, leaves = tree(70)
    for size in range(71):
        assert merkle.root(source, size) == reference_root(leaves[:size])


@given(
    st.integers(min_value=1, max_value=300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1)))
)
def test_every_inclusion_proof_verifies(size_and_index):
    size, index = size_and_index
    source, leaves = tree(size)

    path = merkle.inclusion_proof(source, index, size)

    merkle.verify_inclusion(index, size, merkle.leaf_hash(leaves[index]), path, reference_root(leaves))


@given(st.integers(min_value=1, max_value=200).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_every_consistency_proof_verifies(sizes):
    first, second = sizes
    source, leaves = tree(second)

    proof = merkle.consistency_proof(source, first, second)

    merkle.verify_consistency(first, second, reference_root(leaves[:first]), reference_root(leaves), proof)


def test_a_flipped_byte_anywhere_in_an_audit_path_is_caught():
    source, leaves = tree(37)
    path = merkle.inclusion_proof(source, 21, 37)
    root = merkle.root(source, 37)
    for position in range(len(path)):
        tampered = list(path)
        tampered[position] = bytes([tampered[position][0] ^ 1]) + tampered[position][1:]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(21, 37, merkle.leaf_hash(leaves[21]), tampered, root)


def test_proofs_for_the_wrong_leaf_or_a_truncated_path_fail():
    source, leaves = tree(16)
    path = merkle.inclusion_proof(source, 5, 16)
    root = merkle.root(source, 16)

    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(5, 16, merkle.leaf_hash(leaves[6]), path, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(5, 16, merkle.leaf_hash(leaves[5]), path[:-1], root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(16, 16, merkle.leaf_hash(leaves[5]), path, root)


def test_a_rewritten_history_is_not_consistent():
    _, leaves = tree(20)
    forged = MemoryNodes()
    for index, data in enumerate(leaves):
        forged.append(index, b"forged" if index == 3 else data)  # history rewritten at leaf 3

    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(
            8,
            20,
            reference_root(leaves[:8]),
            merkle.root(forged, 20),
            merkle.consistency_proof(forged, 8, 20),
        )


def test_a_proof_reads_a_logarithmic_number_of_nodes():
    size = 1_000_003
    wanted = {n for r in merkle.inclusion_ranges(777_777, size) for n in merkle.perfect_nodes(*r)}

    assert len(wanted) <= 2 * size.bit_length()
