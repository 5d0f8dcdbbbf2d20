"""RFC 9162 Merkle tree math, as pure functions over bytes.

Hashes (RFC 9162 section 2.1.1): the empty tree is ``SHA-256()``, a leaf is
``SHA-256(0x00 || entry)``, an interior node ``SHA-256(0x01 || left || right)``; the tree over n
leaves splits at k, the largest power of two smaller than n.

Storage model: a log keeps only its *perfect* subtrees, node (level, index) being the hash of
leaves [index * 2^level, (index + 1) * 2^level). Appending a leaf adds that leaf and one node per
level it completes: amortised two writes. Any range an RFC 9162 proof needs starts at a multiple
of its largest power-of-two part, so it is the right fold of at most log2(n) perfect nodes.
Proofs are therefore computed in two steps: the ranges (pure arithmetic), then the few nodes
those ranges need (one batched read), so a stored log answers a proof in O(log n) reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_PROOF_LENGTH = 64

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # [start, end)


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees covering [start, end), largest first (left to right)."""
    nodes: list[Node] = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1
        while start % (1 << level):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of adjacent perfect subtrees, largest first: ``H(h0, H(h1, H(h2, ...)))``."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for value in reversed(hashes[:-1]):
        result = node_hash(value, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose hashes form the inclusion proof of leaf ``index`` in a tree of ``size``
    leaves, in RFC 9162 order (section 2.1.3.1, PATH: nearest the leaf first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    ranges: list[Range] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = split_point(end - start)
        if m < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m = start + k, m - k
    return ranges[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The ranges of the consistency proof between tree sizes (RFC 9162 section 2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[Range] = []
    start, end, m, whole = 0, new_size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                ranges.append((start, end))
            break
        k = split_point(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    return ranges[::-1]


def nodes_for(ranges: Iterable[Range]) -> set[Node]:
    return {node for start, end in ranges for node in range_nodes(start, end)}


def hash_ranges(ranges: Sequence[Range], nodes: Mapping[Node, bytes]) -> list[bytes]:
    return [fold([nodes[n] for n in range_nodes(start, end)]) for start, end in ranges]


def root_hash(size: int, get: Callable[[Node], bytes]) -> bytes:
    return fold([get(n) for n in range_nodes(0, size)])


def _lsb(value: int) -> bool:
    return bool(value & 1)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size or len(proof) > MAX_PROOF_LENGTH:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2 (with the trivial cases: equal sizes, the empty tree)."""
    if not 0 <= old_size <= new_size or len(proof) > MAX_PROOF_LENGTH:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while _lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


class MemoryTree:
    """An append-only tree in memory: every perfect subtree, level by level."""

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = [[]]

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> int:
        """Append a leaf hash; returns its index."""
        levels = self.levels
        index = len(levels[0])
        levels[0].append(leaf)
        level, i, value = 0, index, leaf
        while i & 1:
            value = node_hash(levels[level][i - 1], value)
            level, i = level + 1, i >> 1
            if level == len(levels):
                levels.append([])
            levels[level].append(value)
        return index

    def node(self, node: Node) -> bytes:
        return self.levels[node[0]][node[1]]

    def root(self, size: int | None = None) -> bytes:
        return root_hash(self.size if size is None else size, self.node)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        ranges = inclusion_ranges(index, self.size if size is None else size)
        return hash_ranges(ranges, {n: self.node(n) for n in nodes_for(ranges)})

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        ranges = consistency_ranges(old_size, self.size if new_size is None else new_size)
        return hash_ranges(ranges, {n: self.node(n) for n in nodes_for(ranges)})
