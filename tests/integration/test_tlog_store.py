"""The transparency log in real SQLite and PostgreSQL: batches, proofs, checkpoints, tampering,
crashes mid-batch, concurrent appenders, witnessing with alarms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from accord.clock import FixedClock
from accord.config import load_settings
from accord.crypto.signing import Ed25519Signer
from accord.errors import Conflict, NotFound, StorageError
from accord.node.keys import create_log_key, key_path, load_log_key
from accord.node.log import LogService
from accord.store.database import Database
from accord.store.tables import tlog_entries, tlog_nodes
from accord.store.tlog_repository import TlogRepository, append_in, node_key
from accord.tlog.checkpoint import Checkpoint, log_verifier, open_checkpoint, sign_checkpoint
from accord.tlog.entries import EntryKind, LogEntry
from accord.tlog.merkle import MemoryTree, leaf_hash, verify_consistency, verify_inclusion
from accord.tlog.note import parse
from accord.tlog.witness import WitnessAlarm, verify_cosignature

CLOCK = FixedClock(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC))


def _entries(start: int, count: int) -> list[LogEntry]:
    return [LogEntry(EntryKind.TEST, {"n": i}) for i in range(start, start + count)]


@pytest.fixture
def service(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LogService:
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCORD_NODE_NAME", "usa.example")
    settings = load_settings()
    create_log_key(settings)
    return LogService(database, settings, CLOCK)


def _reference(count: int) -> MemoryTree:
    tree = MemoryTree()
    for entry in _entries(0, count):
        tree.append(leaf_hash(entry.encode()))
    return tree


def test_batches_build_the_rfc_9162_tree(service: LogService) -> None:
    sizes = [1, 2, 5, 8, 13, 35, 1]
    total = 0
    for size in sizes:
        appended = service.append(_entries(total, size))
        assert appended.first_index == total
        total += size
        assert appended.size == total
    reference = _reference(total)
    for index in (0, 1, 7, 30, total - 1):
        proof = service.prove(index)
        assert proof.root_hash == reference.root()
        assert list(proof.proof) == reference.inclusion_proof(index)
        assert verify_inclusion(proof.leaf_hash, index, total, proof.proof, proof.root_hash)
        old = service.prove(index, size=index + 1)
        assert old.root_hash == reference.root(index + 1)
    for old in (1, 3, 16, total):
        consistency = service.consistency(old)
        assert list(consistency.proof) == reference.consistency_proof(old)
        assert verify_consistency(
            old, total, consistency.old_root, consistency.new_root, consistency.proof
        )


def test_checkpoints_are_signed_once_per_size(service: LogService) -> None:
    service.append(_entries(0, 10))
    first = service.checkpoint()
    assert service.checkpoint() == first
    checkpoint, _ = open_checkpoint(first.note, service.verifier_key())
    assert checkpoint == Checkpoint("usa.example/log", 10, _reference(10).root())
    service.append(_entries(10, 5))
    assert service.checkpoint().size == 15


def test_tampering_with_any_entry_or_node_is_detected(
    service: LogService, database: Database
) -> None:
    service.append(_entries(0, 50))
    service.checkpoint()
    assert service.verify_integrity().intact
    with database.transaction() as connection:
        connection.execute(
            sa.update(tlog_entries)
            .where(tlog_entries.c.idx == 17)
            .values(entry=b'{"n":99,"type":"test","v":1}')
        )
    report = service.verify_integrity()
    assert not report.intact
    assert any("node (0, 17)" in p for p in report.problems)
    with database.transaction() as connection:
        connection.execute(
            sa.update(tlog_entries)
            .where(tlog_entries.c.idx == 17)
            .values(entry=LogEntry(EntryKind.TEST, {"n": 17}).encode())
        )
        connection.execute(
            sa.update(tlog_nodes).where(tlog_nodes.c.key == node_key((3, 2))).values(hash=bytes(32))
        )
    assert any("node (3, 2)" in p for p in service.verify_integrity().problems)


def test_a_rewritten_log_cannot_be_checkpointed_again(
    service: LogService, database: Database
) -> None:
    service.append(_entries(0, 8))
    service.checkpoint()
    with database.transaction() as connection:
        connection.execute(
            sa.update(tlog_nodes).where(tlog_nodes.c.key == node_key((3, 0))).values(hash=bytes(32))
        )
    with pytest.raises(StorageError, match="altered"):
        service.checkpoint()


def test_a_crash_in_the_middle_of_a_batch_leaves_nothing(
    service: LogService, database: Database
) -> None:
    service.append(_entries(0, 3))

    class Crash(Exception):
        pass

    def crash_after_appending() -> None:
        with database.transaction() as connection:
            append_in(connection, _entries(3, 100))
            raise Crash

    with pytest.raises(Crash):
        crash_after_appending()
    assert service.size() == 3
    with database.transaction() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(tlog_entries)).scalar() == 3
        )
    assert service.verify_integrity().intact
    service.append(_entries(3, 2))
    assert service.prove(4).root_hash == _reference(5).root()


def test_a_stale_appender_gets_a_conflict(database: Database) -> None:
    with database.transaction() as connection:
        TlogRepository(connection).append([("test", LogEntry(EntryKind.TEST, {"n": 0}).encode())])

    def append_from_a_stale_size() -> None:
        with database.transaction() as connection:
            repository = TlogRepository(connection)
            repository._locked_size = lambda: 0  # type: ignore[method-assign]  # a stale reading
            repository.append([("test", LogEntry(EntryKind.TEST, {"n": 1}).encode())])

    with pytest.raises(Conflict):
        append_from_a_stale_size()


def test_reading_beyond_the_log_is_not_found(service: LogService) -> None:
    service.append(_entries(0, 4))
    with pytest.raises(NotFound):
        service.prove(4)
    with pytest.raises(NotFound):
        service.prove(0, size=5)
    with pytest.raises(NotFound):
        service.consistency(5)
    with pytest.raises(NotFound):
        service.entry(9)


def test_witnessing_a_partner_and_the_alarm_on_a_fork(service: LogService) -> None:
    partner = Ed25519Signer.generate()
    origin = "pak.example/log"
    service.add_witnessed_log(log_verifier(origin, partner.public_key))
    tree = _reference(30)

    def note(t: MemoryTree, size: int) -> str:
        return sign_checkpoint(Checkpoint(origin, size, t.root(size)), partner).encode()

    first = service.cosign(origin, note(tree, 10), [])
    second = service.cosign(origin, note(tree, 30), tree.consistency_proof(10, 30))
    assert verify_cosignature(
        Checkpoint(origin, 30, tree.root()), second, service.cosigner_key()
    ) == int(CLOCK.now().timestamp())
    assert first.key_id == second.key_id
    size_before = service.size()
    forked = MemoryTree()
    for entry in _entries(100, 30):
        forked.append(leaf_hash(entry.encode()))
    with pytest.raises(WitnessAlarm, match="split view"):
        service.cosign(origin, note(forked, 30), [])
    assert service.size() == size_before + 1
    kind, data = service.entry(size_before)
    assert kind == "witness-alarm"
    assert b"split view" in data
    kinds = [service.entry(i)[0] for i in range(size_before)]
    assert kinds.count("cosignature-seen") == 2


def test_the_key_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path / "home"))
    settings = load_settings()
    assert create_log_key(settings)
    assert not create_log_key(settings)
    path = key_path(settings)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert "seed" not in repr(load_log_key(settings)).replace("seed=", "")
    path.chmod(0o644)
    with pytest.raises(StorageError, match="readable by others"):
        load_log_key(settings)


def test_cosigned_note_lists_both_signatures(service: LogService) -> None:
    partner = Ed25519Signer.generate()
    origin = "ind.example/log"
    service.add_witnessed_log(log_verifier(origin, partner.public_key))
    tree = _reference(3)
    service.cosign(
        origin, sign_checkpoint(Checkpoint(origin, 3, tree.root()), partner).encode(), []
    )
    with service.database.transaction() as connection:
        row = TlogRepository(connection).witnessed(origin)
    assert [s.name for s in parse(row.checkpoint_note).signatures] == [origin, "usa.example"]


def test_listing_pages_newest_first_by_kind_and_day(service: LogService) -> None:
    """``log list`` on each store: newest first across read batches, filtered by kind in SQL
    and by the entry's day, paged with ``before``."""
    dated = [
        LogEntry(EntryKind.KEY_EVENT, {"key": f"k{i}", "event": "created",
                                        "at": f"2026-0{1 + i % 3}-15T10:00:00Z"})
        for i in range(6)
    ]  # fmt: skip
    service.append(_entries(0, 1500))
    service.append(dated)
    service.append(_entries(1500, 1200))
    newest = service.listing(limit=3)
    assert [e.index for e in newest] == [2705, 2704, 2703]
    keys = service.listing(kinds=["key-event"], limit=10)
    assert [e.index for e in keys] == [1505, 1504, 1503, 1502, 1501, 1500]
    february = service.listing(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28), limit=10)
    assert [e.fields["key"] for e in february] == ["k4", "k1"]
    older = service.listing(kinds=["test"], limit=2, before=1500)
    assert [e.fields["n"] for e in older] == [1499, 1498]
