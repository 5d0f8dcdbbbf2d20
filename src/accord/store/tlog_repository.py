"""The transparency log in the database, inside the caller's transaction.

Appends come in batches: one read of the head and of the right edge of the tree (at most
log2(n) perfect subtrees), the new entries and nodes computed in memory, two bulk inserts and one
guarded update of the head. An envelope and its log entries are therefore committed together or
not at all, and a batch is all there or not at all. Concurrent appenders are serialised by the
head update, which only succeeds from the size the batch was computed on (``Conflict`` otherwise,
for the caller to retry). Proofs read only the O(log n) nodes they need, in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accord.errors import Conflict, NotFound, StorageError
from accord.store.tables import (
    tlog_checkpoints,
    tlog_cosignatures,
    tlog_entries,
    tlog_head,
    tlog_nodes,
    tlog_witnessed,
)
from accord.tlog import merkle
from accord.tlog.entries import LogEntry
from accord.tlog.merkle import Node

if TYPE_CHECKING:
    from accord.store.database import Database

#: A transaction that lost the race for the log head is run again, up to this many times.
APPEND_RETRIES = 20

T = TypeVar("T")

LOG = "main"


class LogRaced(Conflict):
    """Another transaction appended first; the whole transaction can be retried."""


_LEVEL = 1 << 48
#: SQLite accepts at most 32766 bound parameters per statement; proofs need far fewer.
_IN_CHUNK = 500


def node_key(node: Node) -> int:
    return node[0] * _LEVEL + node[1]


@dataclass(frozen=True, slots=True)
class Appended:
    first_index: int
    size: int


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    note: str
    created_at: str


@dataclass(frozen=True, slots=True)
class WitnessedRow:
    origin: str
    log_key: str
    size: int
    root_hash: bytes
    checkpoint_note: str


# Built once: the statements on every append's path (SQLAlchemy then only binds values).
_LOCKED_SIZE = (
    sa.select(tlog_head.c.size).where(tlog_head.c.log == sa.bindparam("log")).with_for_update()
)
_ADVANCE_HEAD = (
    sa.update(tlog_head)
    .where(tlog_head.c.log == sa.bindparam("head"), tlog_head.c.size == sa.bindparam("start"))
    .values(size=sa.bindparam("new_size"))
)
_NODES = sa.select(tlog_nodes.c.key, tlog_nodes.c.hash).where(
    tlog_nodes.c.key.in_(sa.bindparam("keys", expanding=True))
)


@dataclass(frozen=True, slots=True)
class StoredCosignature:
    """A witness's cosignature of this log at a size (its note line) and the witness's key."""

    witness: str
    size: int
    root_hash: bytes
    cosignature: str
    witness_key: str
    received_at: str


class TlogRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- head and nodes -------------------------------------------------------------------

    def size(self) -> int:
        value = self.connection.execute(
            sa.select(tlog_head.c.size).where(tlog_head.c.log == LOG)
        ).scalar_one_or_none()
        return int(value) if value is not None else 0

    def _locked_size(self) -> int:
        value = self.connection.execute(_LOCKED_SIZE, {"log": LOG}).scalar_one_or_none()
        return int(value) if value is not None else 0

    def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        keys = {node_key(n): n for n in wanted}
        found: dict[Node, bytes] = {}
        ordered = sorted(keys)
        for i in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[i : i + _IN_CHUNK]
            rows = self.connection.execute(_NODES, {"keys": chunk})
            for key, value in rows:
                found[keys[int(key)]] = bytes(value)
        missing = set(keys.values()) - set(found)
        if missing:
            raise StorageError(f"the log is missing {len(missing)} tree node(s): it is damaged")
        return found

    def append(self, entries: Sequence[tuple[str, bytes]]) -> Appended:
        """Append ``(kind, canonical entry bytes)`` pairs; returns the first index and new size."""
        if not entries:
            size = self.size()
            return Appended(first_index=size, size=size)
        # Lock the head row (PostgreSQL: FOR UPDATE; SQLite's transactions already hold the write
        # lock), so concurrent appenders queue instead of racing.
        start = self._locked_size()
        known = self.nodes(merkle.range_nodes(0, start))
        entry_rows: list[tuple[int, str, bytes]] = []
        node_rows: list[tuple[int, bytes]] = []
        leaf, interior = merkle.leaf_hash, merkle.node_hash
        for offset, (kind, data) in enumerate(entries):
            index = start + offset
            entry_rows.append((index, kind, data))
            value = leaf(data)
            level, i = 0, index
            known[(0, i)] = value
            node_rows.append((i, value))
            while i & 1:
                value = interior(known[(level, i - 1)], value)
                level, i = level + 1, i >> 1
                known[(level, i)] = value
                node_rows.append((level * _LEVEL + i, value))
        new_size = start + len(entries)
        # The migration creates the head row at size 0; this update is the serialisation point.
        updated = self.connection.execute(
            _ADVANCE_HEAD, {"head": LOG, "start": start, "new_size": new_size}
        )
        if updated.rowcount != 1:
            raise LogRaced("another writer appended to the log; retry")
        self._bulk_insert("tlog_entries", ("idx", "kind", "entry"), entry_rows)
        self._bulk_insert("tlog_nodes", ("key", "hash"), node_rows)
        return Appended(first_index=start, size=new_size)

    def _bulk_insert(
        self, table: str, columns: tuple[str, ...], rows: Sequence[tuple[object, ...]]
    ) -> None:
        """The driver's own executemany: an append batch is pure data, and SQLAlchemy's
        per-row parameter processing would cost as much as the database's work."""
        marker = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
        placeholders = ", ".join([marker] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 (fixed names)
        self.connection.exec_driver_sql(sql, list(rows))

    # -- reading --------------------------------------------------------------------------

    def entry(self, index: int) -> tuple[str, bytes]:
        row = self.connection.execute(
            sa.select(tlog_entries.c.kind, tlog_entries.c.entry).where(tlog_entries.c.idx == index)
        ).first()
        if row is None:
            raise NotFound(f"the log has no entry {index} (its size is {self.size()})")
        return str(row.kind), bytes(row.entry)

    def entries(self, start: int, end: int) -> list[bytes]:
        rows = self.connection.execute(
            sa.select(tlog_entries.c.entry)
            .where(tlog_entries.c.idx >= start, tlog_entries.c.idx < end)
            .order_by(tlog_entries.c.idx)
        )
        return [bytes(r.entry) for r in rows]

    def entries_before(
        self, before: int, count: int, kinds: Sequence[str] = ()
    ) -> list[tuple[int, str, bytes]]:
        """Up to ``count`` entries with an index below ``before``, newest first, only of
        ``kinds`` when given (index, kind, bytes)."""
        query = sa.select(tlog_entries.c.idx, tlog_entries.c.kind, tlog_entries.c.entry).where(
            tlog_entries.c.idx < before
        )
        if kinds:
            query = query.where(tlog_entries.c.kind.in_(list(kinds)))
        rows = self.connection.execute(query.order_by(tlog_entries.c.idx.desc()).limit(count))
        return [(int(r.idx), str(r.kind), bytes(r.entry)) for r in rows]

    def _within(self, size: int | None) -> int:
        current = self.size()
        if size is None:
            return current
        if not 0 <= size <= current:
            raise NotFound(f"the log has {current} entries, not {size}")
        return size

    def root(self, size: int | None = None) -> tuple[int, bytes]:
        size = self._within(size)
        wanted = merkle.range_nodes(0, size)
        return size, merkle.root_hash(size, self.nodes(wanted).__getitem__)

    def inclusion_proof(self, index: int, size: int | None = None) -> tuple[int, list[bytes]]:
        size = self._within(size)
        if not 0 <= index < size:
            raise NotFound(f"entry {index} is not in the log at size {size}")
        ranges = merkle.inclusion_ranges(index, size)
        return size, merkle.hash_ranges(ranges, self.nodes(merkle.nodes_for(ranges)))

    def consistency_proof(
        self, old_size: int, new_size: int | None = None
    ) -> tuple[int, list[bytes]]:
        new_size = self._within(new_size)
        if not 0 <= old_size <= new_size:
            raise NotFound(f"no consistency proof from size {old_size} to {new_size}")
        ranges = merkle.consistency_ranges(old_size, new_size)
        return new_size, merkle.hash_ranges(ranges, self.nodes(merkle.nodes_for(ranges)))

    def all_nodes(self) -> dict[int, bytes]:
        """Every stored node by key (integrity checks)."""
        rows = self.connection.execute(sa.select(tlog_nodes.c.key, tlog_nodes.c.hash))
        return {int(k): bytes(v) for k, v in rows}

    # -- checkpoints ----------------------------------------------------------------------

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        row = self.connection.execute(
            sa.select(tlog_checkpoints).where(tlog_checkpoints.c.size == size)
        ).first()
        if row is None:
            return None
        return StoredCheckpoint(
            int(row.size), bytes(row.root_hash), str(row.note), str(row.created_at)
        )

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        size = self.connection.execute(sa.select(sa.func.max(tlog_checkpoints.c.size))).scalar()
        return None if size is None else self.checkpoint(int(size))

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self.connection.execute(
            sa.select(tlog_checkpoints).order_by(tlog_checkpoints.c.size)
        )
        return [
            StoredCheckpoint(int(r.size), bytes(r.root_hash), str(r.note), str(r.created_at))
            for r in rows
        ]

    def save_checkpoint(self, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
        """Store a signed checkpoint; the one already stored for that size if there is one.

        Never two checkpoints of one size with different roots (tlog-checkpoint: a log MUST NOT
        sign inconsistent checkpoints): that would mean the stored log changed under the node.
        """
        existing = self.checkpoint(checkpoint.size)
        if existing is not None:
            if existing.root_hash != checkpoint.root_hash:
                raise StorageError(
                    f"the log's root at size {checkpoint.size} differs from the checkpoint signed "
                    "for that size: the stored log has been altered"
                )
            return existing
        self.connection.execute(
            sa.insert(tlog_checkpoints).values(
                size=checkpoint.size,
                root_hash=checkpoint.root_hash,
                note=checkpoint.note,
                created_at=checkpoint.created_at,
            )
        )
        return checkpoint

    # -- witnessing -----------------------------------------------------------------------

    def last_cosigned_size(self, witness: str) -> int:
        value = self.connection.execute(
            sa.select(sa.func.max(tlog_cosignatures.c.size)).where(
                tlog_cosignatures.c.witness == witness
            )
        ).scalar()
        return int(value or 0)

    def save_cosignature(self, cosigned: StoredCosignature) -> None:
        self.connection.execute(
            tlog_cosignatures.insert(),
            {
                "witness": cosigned.witness,
                "size": cosigned.size,
                "root_hash": cosigned.root_hash,
                "cosignature": cosigned.cosignature,
                "witness_key": cosigned.witness_key,
                "received_at": cosigned.received_at,
            },
        )

    def latest_cosignatures(self) -> list[StoredCosignature]:
        """Each witness's cosignature of the largest size, by witness."""
        rows = self.connection.execute(
            sa.select(tlog_cosignatures).order_by(
                tlog_cosignatures.c.witness, tlog_cosignatures.c.size.desc()
            )
        ).all()
        latest: dict[str, StoredCosignature] = {}
        for row in rows:
            latest.setdefault(
                str(row.witness),
                StoredCosignature(
                    witness=str(row.witness),
                    size=int(row.size),
                    root_hash=bytes(row.root_hash),
                    cosignature=str(row.cosignature),
                    witness_key=str(row.witness_key),
                    received_at=str(row.received_at),
                ),
            )
        return [latest[w] for w in sorted(latest)]

    def witnessed(self, origin: str) -> WitnessedRow:
        row = self.connection.execute(
            sa.select(tlog_witnessed).where(tlog_witnessed.c.origin == origin)
        ).first()
        if row is None:
            raise NotFound(f"this node does not witness the log {origin}")
        return WitnessedRow(
            str(row.origin),
            str(row.log_key),
            int(row.size),
            bytes(row.root_hash),
            str(row.checkpoint_note),
        )

    def save_witnessed(
        self, row: WitnessedRow, *, updated_at: str, expected_size: int | None
    ) -> None:
        """Insert (``expected_size`` None) or advance a witnessed log; advancing only succeeds from
        the size the caller checked, so two concurrent cosignings cannot both win."""
        values = {
            "log_key": row.log_key,
            "size": row.size,
            "root_hash": row.root_hash,
            "checkpoint_note": row.checkpoint_note,
            "updated_at": updated_at,
        }
        if expected_size is None:
            self.connection.execute(sa.insert(tlog_witnessed).values(origin=row.origin, **values))
            return
        updated = self.connection.execute(
            sa.update(tlog_witnessed)
            .where(tlog_witnessed.c.origin == row.origin, tlog_witnessed.c.size == expected_size)
            .values(**values)
        )
        if updated.rowcount != 1:
            raise Conflict(f"the witnessed state of {row.origin} changed meanwhile; retry")


def in_transaction(
    database: Database, work: Callable[[Connection], T], attempts: int = APPEND_RETRIES
) -> T:
    """Run ``work`` in one transaction, again from the start if another writer appended to the log
    first (the transaction's appends are computed on the log's size when it began)."""
    for attempt in range(attempts):
        try:
            with database.transaction() as connection:
                return work(connection)
        except LogRaced:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def append_in(connection: Connection, entries: Sequence[LogEntry]) -> Appended:
    """Append inside the caller's transaction."""
    return TlogRepository(connection).append([(e.kind.value, e.encode()) for e in entries])
