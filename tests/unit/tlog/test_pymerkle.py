"""Another RFC 9162 implementation (pymerkle) agrees: same roots, same inclusion paths."""

from __future__ import annotations

import warnings

from pymerkle import InmemoryTree

from accord.tlog.merkle import MemoryTree, leaf_hash


def test_roots_and_inclusion_paths_match_pymerkle() -> None:
    theirs = InmemoryTree(algorithm="sha256")
    ours = MemoryTree()
    for i in range(70):
        entry = f"entry {i}".encode()
        theirs.append_entry(entry)
        ours.append(leaf_hash(entry))
        size = i + 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert theirs.get_state(size) == ours.root(size)
        for index in range(0, size, 7):
            path = theirs.prove_inclusion(index + 1, size).serialize()["path"]
            assert [bytes.fromhex(h) for h in path[1:]] == ours.inclusion_proof(index, size)
            assert bytes.fromhex(path[0]) == ours.node((0, index))
