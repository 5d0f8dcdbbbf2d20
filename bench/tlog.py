"""Benchmark: Accord's transparency log against pymerkle, in one run.

Measures, on the same entries:
- appends per second in memory: Accord's ``MemoryTree`` and pymerkle's ``InmemoryTree``
  (each hashing the entries itself);
- appends per second on SQLite through the store, in batches inside transactions;
- inclusion and consistency proof generation and verification at N entries (1,000,000 by
  default), Accord from storage and pymerkle in memory.

Last line: one JSON object with ``append_ratio`` (Accord in memory / pymerkle),
``sqlite_appends_per_s`` and ``proof_ms_1m`` (inclusion proof from storage at N entries).
Goals: append_ratio >= 5, sqlite_appends_per_s >= 50,000, proof_ms_1m < 1.

Run: ``.venv/bin/python bench/tlog.py [--entries N]`` (needs ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from pymerkle import InmemoryTree
from pymerkle import verify_consistency as pymerkle_verify_consistency
from pymerkle import verify_inclusion as pymerkle_verify_inclusion

from accord.store.database import Database
from accord.store.tlog_repository import TlogRepository
from accord.tlog.entries import EntryKind, LogEntry
from accord.tlog.merkle import MemoryTree, leaf_hash, verify_consistency, verify_inclusion

warnings.simplefilter("ignore", DeprecationWarning)


def timed(function, repeat: int = 200) -> float:  # type: ignore[no-untyped-def]
    """Median seconds per call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--memory-entries", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    n, m = args.entries, args.memory_entries
    print(f"encoding {n:,} canonical entries ...", flush=True)
    entries = [LogEntry(EntryKind.TEST, {"n": i}).encode() for i in range(n)]

    # -- appends in memory, same entries -------------------------------------------------
    start = time.perf_counter()
    ours = MemoryTree()
    for data in entries[:m]:
        ours.append(leaf_hash(data))
    accord_memory = m / (time.perf_counter() - start)
    start = time.perf_counter()
    theirs = InmemoryTree(algorithm="sha256")
    for data in entries[:m]:
        theirs.append_entry(data)
    pymerkle_memory = m / (time.perf_counter() - start)
    assert theirs.get_state() == ours.root(), "the two trees disagree"
    print(f"in memory, {m:,} appends: accord {accord_memory:,.0f}/s, ", end="")
    print(f"pymerkle {pymerkle_memory:,.0f}/s")

    # -- appends on SQLite, in batches ---------------------------------------------------
    with tempfile.TemporaryDirectory() as directory:
        database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
        database.migrate()
        start = time.perf_counter()
        for i in range(0, n, args.batch):
            batch = [("test", data) for data in entries[i : i + args.batch]]
            with database.transaction() as connection:
                TlogRepository(connection).append(batch)
        sqlite_rate = n / (time.perf_counter() - start)
        print(f"SQLite, {n:,} appends in batches of {args.batch:,}: {sqlite_rate:,.0f}/s")

        # -- proofs at n entries: Accord from storage ------------------------------------
        rng = random.Random(7)
        with database.transaction() as connection:
            repository = TlogRepository(connection)
            _, root = repository.root(n)
            indexes = [rng.randrange(n) for _ in range(200)]
            it = iter(indexes * 2)
            inclusion_s = timed(lambda: repository.inclusion_proof(next(it), n))
            old_sizes = iter([rng.randrange(1, n) for _ in range(400)])
            consistency_s = timed(lambda: repository.consistency_proof(next(old_sizes), n))
            index = indexes[0]
            _, path = repository.inclusion_proof(index, n)
            leaf = leaf_hash(entries[index])
            verify_inclusion_s = timed(lambda: verify_inclusion(leaf, index, n, path, root))
            old = n // 3
            _, old_root = repository.root(old)
            _, consistency_path = repository.consistency_proof(old, n)
            verify_consistency_s = timed(
                lambda: verify_consistency(old, n, old_root, root, consistency_path)
            )
        database.dispose()

    # -- proofs at n entries: pymerkle in memory ------------------------------------------
    print(f"pymerkle: building {n:,} entries in memory ...", flush=True)
    theirs = InmemoryTree(algorithm="sha256")
    for data in entries:
        theirs.append_entry(data)
    their_indexes = iter([rng.randrange(1, n + 1) for _ in range(400)])
    pymerkle_inclusion_s = timed(lambda: theirs.prove_inclusion(next(their_indexes), n))
    their_olds = iter([rng.randrange(1, n) for _ in range(400)])
    pymerkle_consistency_s = timed(lambda: theirs.prove_consistency(next(their_olds), n))
    their_proof = theirs.prove_inclusion(index + 1, n)
    their_root = theirs.get_state(n)
    their_leaf = theirs.get_leaf(index + 1)
    pymerkle_verify_s = timed(
        lambda: pymerkle_verify_inclusion(their_leaf, their_root, their_proof)
    )
    their_consistency = theirs.prove_consistency(old, n)
    their_old_root = theirs.get_state(old)
    pymerkle_verify_consistency_s = timed(
        lambda: pymerkle_verify_consistency(their_old_root, their_root, their_consistency)
    )

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.3f} ms"

    rows = [
        ("inclusion proof", inclusion_s, pymerkle_inclusion_s),
        ("consistency proof", consistency_s, pymerkle_consistency_s),
        ("verify inclusion", verify_inclusion_s, pymerkle_verify_s),
        ("verify consistency", verify_consistency_s, pymerkle_verify_consistency_s),
    ]
    print(f"proofs at {n:,} entries            accord (SQLite)   pymerkle (memory)")
    for name, accord_s, pymerkle_s in rows:
        print(f"  {name:<28} {ms(accord_s):>14}   {ms(pymerkle_s):>14}")
    result = {
        "entries": n,
        "append_ratio": round(accord_memory / pymerkle_memory, 2),
        "accord_memory_appends_per_s": round(accord_memory),
        "pymerkle_memory_appends_per_s": round(pymerkle_memory),
        "sqlite_appends_per_s": round(sqlite_rate),
        "proof_ms_1m": round(inclusion_s * 1000, 4),
        "consistency_ms_1m": round(consistency_s * 1000, 4),
        "verify_inclusion_ms": round(verify_inclusion_s * 1000, 4),
        "verify_consistency_ms": round(verify_consistency_s * 1000, 4),
        "pymerkle_proof_ms_1m": round(pymerkle_inclusion_s * 1000, 4),
        "pymerkle_consistency_ms_1m": round(pymerkle_consistency_s * 1000, 4),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
