"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.

A tree over n leaves is stored as its *perfect* subtrees: node (level, index) covers leaves
[index·2^level, (index+1)·2^level). Such a node never changes once complete, so it can be
stored once and read back; any subtree hash, root or proof is assembled from O(log n) of
them. `NodeSource` is whatever can fetch those nodes (the database, or a dict in tests).

Standard library only: the offline verifier imports this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

Node = tuple[int, int]  # (level, index)


class ProofError(ValueError):
    pass


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n > 1), the split point of RFC 6962's MTH."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up leaves [start, end), left to right.

    Only ranges that occur inside RFC 6962's recursion are asked for: `start` is a multiple
    of a power of two at least as large as the range, so greedy alignment works.
    """
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Root of a range from its perfect subtrees' hashes (right fold, as MTH splits)."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PATH(index, D[0:size]), bottom-up (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1)."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to {second}")
    ranges: list[tuple[int, int]] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:
        k = _largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        ranges.append((start, end))
    return ranges[::-1]


class NodeSource(Protocol):
    def nodes(self, wanted: Iterable[Node]) -> Mapping[Node, bytes]: ...


def range_hashes(source: NodeSource, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Hashes of several leaf ranges, reading every node they need in one call."""
    decompositions = [perfect_nodes(start, end) for start, end in ranges]
    found = source.nodes({node for nodes in decompositions for node in nodes})
    try:
        return [fold([found[node] for node in nodes]) for nodes in decompositions]
    except KeyError as missing:
        raise ProofError(f"node {missing} is not stored") from None


def root(source: NodeSource, size: int) -> bytes:
    return range_hashes(source, [(0, size)])[0] if size else EMPTY_ROOT


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    return range_hashes(source, inclusion_ranges(index, size))


def consistency_proof(source: NodeSource, first: int, second: int) -> list[bytes]:
    return range_hashes(source, consistency_ranges(first, second))


def nodes_completed_by(index: int, leaf: bytes, siblings: Mapping[Node, bytes]) -> list[tuple[Node, bytes]]:
    """The nodes that become complete when leaf hash `leaf` is appended at `index`.

    `siblings` must hold the left neighbours (level, i-1) for each odd i on the way up:
    exactly the right edge of the tree before the append (see `right_edge`).
    """
    completed = [((0, index), leaf)]
    level, position, current = 0, index, leaf
    while position % 2 == 1:
        current = node_hash(siblings[(level, position - 1)], current)
        level, position = level + 1, position // 2
        completed.append(((level, position), current))
    return completed


def right_edge(size: int) -> list[Node]:
    """The perfect subtrees of a tree of `size` leaves: all an append needs to know."""
    return perfect_nodes(0, size)


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes) -> None:
    """RFC 9162 §2.1.3.2. Raises ProofError unless `path` proves `leaf` at `index`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("audit path is shorter than the tree is deep")
    if r != expected_root:
        raise ProofError("audit path does not lead to the root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2. Raises ProofError unless the tree of `second` extends that of `first`."""
    if not 0 < first <= second:
        raise ProofError(f"no consistency between sizes {first} and {second}")
    if first == second:
        if proof:
            raise ProofError("proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != first_root or sr != second_root:
        raise ProofError("consistency proof does not match the roots")
