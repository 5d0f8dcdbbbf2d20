"""RFC 9162 Merkle math against an independent, literal implementation of the RFC's definitions
(every tree size 1..64, every index, every pair of sizes), plus published CT vectors."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.tlog.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    consistency_ranges,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

# -- the RFC, literally (section 2.1.1, 2.1.3.1, 2.1.4.1), written independently of the code -


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, leaves[:k], b), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


LEAVES = [f"entry {i}".encode() for i in range(64)]


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    built = MemoryTree()
    for entry in LEAVES:
        built.append(leaf_hash(entry))
    return built


def test_roots_of_every_size(tree: MemoryTree) -> None:
    assert tree.root(0) == EMPTY_ROOT == mth([])
    for size in range(1, 65):
        assert tree.root(size) == mth(LEAVES[:size]), size


def test_inclusion_proofs_for_every_size_and_index(tree: MemoryTree) -> None:
    for size in range(1, 65):
        root = mth(LEAVES[:size])
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert proof == path(index, LEAVES[:size]), (index, size)
            assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, root)


def test_consistency_proofs_for_every_pair_of_sizes(tree: MemoryTree) -> None:
    for new in range(1, 65):
        new_root = mth(LEAVES[:new])
        for old in range(1, new + 1):
            proof = tree.consistency_proof(old, new)
            expected = [] if old == new else subproof(old, LEAVES[:new], True)
            assert proof == expected, (old, new)
            assert verify_consistency(old, new, mth(LEAVES[:old]), new_root, proof)


def test_ct_published_vectors() -> None:
    """The certificate-transparency test leaves and roots (RFC 6962 reference tests)."""
    leaves = [
        bytes.fromhex(h)
        for h in [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
    ]
    tree = MemoryTree()
    for entry in leaves:
        tree.append(leaf_hash(entry))
    assert tree.root(1).hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert tree.root(8).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_tampering_is_detected(tree: MemoryTree) -> None:
    size, index = 37, 21
    root = tree.root(size)
    proof = tree.inclusion_proof(index, size)
    leaf = leaf_hash(LEAVES[index])
    assert not verify_inclusion(leaf_hash(b"forged"), index, size, proof, root)
    assert not verify_inclusion(leaf, index + 1, size, proof, root)
    assert not verify_inclusion(leaf, index, size + 1, proof, tree.root(size + 1))
    assert not verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not verify_inclusion(leaf, index, size, [*proof, proof[0]], root)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes(32)
        assert not verify_inclusion(leaf, index, size, bad, root)
    old, new = 13, 50
    consistency = tree.consistency_proof(old, new)
    assert not verify_consistency(old, new, tree.root(old), tree.root(new - 1), consistency)
    assert not verify_consistency(old + 1, new, tree.root(old), tree.root(new), consistency)
    assert not verify_consistency(old, new, tree.root(old), tree.root(new), consistency[1:])
    assert not verify_consistency(new, old, tree.root(new), tree.root(old), consistency)
    assert not verify_consistency(old, new, tree.root(old), tree.root(new), [])


def test_trivial_consistency() -> None:
    tree = MemoryTree()
    tree.append(leaf_hash(b"a"))
    assert consistency_ranges(0, 1) == []
    assert verify_consistency(0, 1, EMPTY_ROOT, tree.root(), [])
    assert verify_consistency(1, 1, tree.root(), tree.root(), [])
    assert not verify_consistency(1, 1, tree.root(), EMPTY_ROOT, [])


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=65, max_value=3000), st.data())
def test_larger_trees_verify(size: int, data: st.DataObject) -> None:
    tree = MemoryTree()
    for i in range(size):
        tree.append(leaf_hash(i.to_bytes(4, "big")))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=1, max_value=size))
    assert verify_inclusion(
        leaf_hash(index.to_bytes(4, "big")), index, size, tree.inclusion_proof(index), tree.root()
    )
    assert verify_consistency(old, size, tree.root(old), tree.root(), tree.consistency_proof(old))
