"""Group commit: concurrent writes that append to the log share one transaction.

Every release (and every received envelope) appends to the one transparency log, whose head is a
single row: writers are serialised on it, so one transaction per request makes throughput the
inverse of a transaction's latency. Here a caller queues its write (the log entries and whatever
rows must commit with them) and gets a future; one writer thread per committer takes up to
``max_batch`` queued writes, appends all their entries in one batch, runs their row writes and
commits once, then settles their futures. A write's future is settled only after its batch
committed, so every write is durable before its caller hears of it.

One writer thread rather than "whichever caller comes first leads": the callers' threads then
only do their own work (deciding, sealing, verifying) and wait; the thread that holds the
database's write lock is never one of many threads contending for the interpreter, and an
asynchronous caller (the API's event loop) needs no thread of its own to write.

Writes submitted on a thread that runs an asyncio event loop (the API's releases) are committed
by that loop instead, once the callbacks ready now have run: every request that arrived together
has then decided, sealed and queued its write, and one transaction takes them all. The loop's
thread is blocked for that transaction (the database releases the interpreter meanwhile, with
no other thread of ours waiting for it). A writer thread there would cost more than it saves: each
handoff of the interpreter lock between it and the loop (after every database call, and every
cryptographic call that releases the lock) costs both threads CPU, which measured as about half
of a release's CPU on a busy node (bench/node.py).

Likewise a thread that has several writes to make at once (a received transaction's envelopes,
a batch of receipts) makes them in ``batched()``: they are committed by that thread when the block
ends, with no handoff to the writer thread. Commits made in a caller's thread, on the loop and by
the writer thread take turns on one lock, so that two of them never wait on the database's write
lock (SQLite's busy handler sleeps; an in-process lock wakes the next one at once).

A write that fails takes its batch down with it, so a failed batch is run again one write per
transaction: only the write at fault reports the error, the others commit. A batch that lost the
race for the log head to another process (PostgreSQL, several workers) is retried whole.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accord.errors import StorageError
from accord.store.database import Database
from accord.store.tlog_repository import Appended, TlogRepository, in_transaction
from accord.tlog.entries import LogEntry

T = TypeVar("T")


#: A row to insert: its table and values. Inserts of a batch's writes go to the database as one
#: executemany per table (one round trip on PostgreSQL), after the batch's ``rows`` callbacks.
Insert = tuple[sa.Table, dict[str, Any]]


def _no_inserts(_appended: Appended) -> Sequence[Insert]:
    return ()


@dataclass(eq=False)
class _Write(Generic[T]):
    encoded: list[tuple[str, bytes]]
    rows: Callable[[Connection, Appended], T]
    inserts: Callable[[Appended], Sequence[Insert]] = _no_inserts
    future: Future[tuple[Appended, T]] = field(default_factory=Future)


class GroupCommitter:
    def __init__(self, database: Database, *, max_batch: int = 64) -> None:
        self.database = database
        self.max_batch = max_batch
        self._condition = threading.Condition()
        self._queue: list[_Write[Any]] = []
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False
        #: Writes submitted on an event loop's thread, by loop, committed by that loop
        #: (``_flush_loop``): each list is touched by its own loop's thread only.
        self._loop_batches: dict[asyncio.AbstractEventLoop, list[_Write[Any]]] = {}
        #: A thread's own batch, while it is in ``batched()``.
        self._own = threading.local()
        #: Held by whoever commits a batch: the writer thread, the loop, a thread in ``batched``.
        self._committing = threading.Lock()

    def submit(
        self,
        entries: Sequence[LogEntry],
        rows: Callable[[Connection, Appended], T] | None = None,
        *,
        inserts: Callable[[Appended], Sequence[Insert]] | None = None,
    ) -> Future[tuple[Appended, T | None]]:
        """Queue ``entries`` to append, and ``rows(connection, appended)`` to run and the rows
        ``inserts(appended)`` gives to insert in the same transaction (shared with other writes).
        The future settles once that transaction committed (where the entries went and what
        ``rows`` returned) or failed (its error)."""
        job = _job(entries, rows, inserts)
        if self._closed:
            raise StorageError("the node is shutting down: nothing more is written")
        own: list[_Write[Any]] | None = getattr(self._own, "batch", None)
        if own is not None:
            own.append(job)
            return job.future
        loop = _running_loop()
        if loop is not None:
            pending = self._loop_batches.setdefault(loop, [])
            pending.append(job)
            if len(pending) == 1:
                loop.call_soon(self._flush_loop, loop)
            return job.future
        with self._condition:
            if self._closed:
                raise StorageError("the node is shutting down: nothing more is written")
            self._queue.append(job)
            self._start()
            self._condition.notify()
        return job.future

    def _flush_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._commit_all(self._loop_batches.pop(loop, []))

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Writes submitted by this thread in the block are committed by this thread when the
        block ends, however it ends (their futures settle then: wait for them after the
        block, not in it)."""
        if getattr(self._own, "batch", None) is not None:
            yield  # already in a batch: its end commits these too
            return
        batch: list[_Write[Any]] = []
        self._own.batch = batch
        try:
            yield
        finally:
            self._own.batch = None
            self._commit_all(batch)

    def _commit_all(self, batch: list[_Write[Any]]) -> None:
        for start in range(0, len(batch), self.max_batch):
            with self._committing:
                self._commit(batch[start : start + self.max_batch])

    def write(
        self,
        entries: Sequence[LogEntry],
        rows: Callable[[Connection, Appended], T] | None = None,
    ) -> tuple[Appended, T | None]:
        """``submit``, then wait for the commit. Inside ``batched()`` or on the event loop's
        thread, whose own batches commit only later, the write is committed at once by this
        thread instead (waiting for it there would wait forever)."""
        if getattr(self._own, "batch", None) is not None or _running_loop() is not None:
            if self._closed:
                raise StorageError("the node is shutting down: nothing more is written")
            job = _job(entries, rows, None)
            self._commit_all([job])
            return job.future.result()
        return self.submit(entries, rows).result()

    def close(self) -> None:
        """Write what is queued, then stop the writer thread. (Writes queued on the event loop
        are committed by the loop before it stops: the API closes this after its loop's last
        callbacks ran.)"""
        with self._condition:
            self._closed = True
            self._condition.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _start(self) -> None:
        # A process forked from one whose writer ran has the queue but not the thread.
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run_writer, name="accord-writer")
            self._thread.daemon = True
            self._thread.start()

    def _run_writer(self) -> None:
        while True:
            with self._condition:
                while not self._queue and not self._closed:
                    self._condition.wait()
                if not self._queue:
                    return
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
            with self._committing:
                self._commit(batch)

    def _commit(self, batch: list[_Write[Any]]) -> None:
        try:
            results = in_transaction(self.database, lambda c: self._run(c, batch))
        except BaseException as error:
            if len(batch) == 1:
                batch[0].future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                return
            for job in batch:
                self._commit([job])
            return
        for job, result in zip(batch, results, strict=True):
            job.future.set_result(result)

    @staticmethod
    def _run(connection: Connection, batch: list[_Write[Any]]) -> list[tuple[Appended, Any]]:
        everything = [pair for job in batch for pair in job.encoded]
        appended = TlogRepository(connection).append(everything)
        results: list[tuple[Appended, Any]] = []
        tables: dict[sa.Table, list[dict[str, Any]]] = {}
        index = appended.first_index
        for job in batch:
            own = Appended(first_index=index, size=index + len(job.encoded))
            results.append((own, job.rows(connection, own)))
            for table, values in job.inserts(own):
                tables.setdefault(table, []).append(values)
            index = own.size
        for table, many in tables.items():
            connection.execute(table.insert(), many)
        return results


def _job(
    entries: Sequence[LogEntry],
    rows: Callable[[Connection, Appended], T] | None,
    inserts: Callable[[Appended], Sequence[Insert]] | None,
) -> _Write[T | None]:
    return _Write(
        encoded=[(e.kind.value, e.encode()) for e in entries],
        rows=rows or (lambda _c, _a: None),
        inserts=inserts or _no_inserts,
    )


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
