"""Group commit: concurrent writes that append to the log share one transaction.

Every release (and every received envelope) appends to the one transparency log, whose head is a
single row: writers are serialised on it, so one transaction per request makes throughput the
inverse of a transaction's latency. Here a caller queues its write (the log entries and whatever
rows must commit with them); whichever caller finds no batch in progress becomes the leader, takes
up to ``max_batch`` queued writes, appends all their entries in one batch and runs their row
writes, and commits once. Every write in a committed batch is durable when its caller returns.

A write that fails takes its batch down with it, so a failed batch is run again one write per
transaction: only the write at fault reports the error, the others commit. A batch that lost the
race for the log head to another process (PostgreSQL, several workers) is retried whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.engine import Connection

from accord.errors import StorageError
from accord.node.log import in_transaction
from accord.store.database import Database
from accord.store.tlog_repository import Appended, TlogRepository
from accord.tlog.entries import LogEntry

T = TypeVar("T")


@dataclass(eq=False)
class _Write(Generic[T]):
    entries: Sequence[LogEntry]
    rows: Callable[[Connection, Appended], T]
    encoded: list[tuple[str, bytes]] = field(default_factory=list)
    done: bool = False
    result: tuple[Appended, T] | None = None
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, database: Database, *, max_batch: int = 64) -> None:
        self.database = database
        self.max_batch = max_batch
        self._condition = threading.Condition()
        self._queue: list[_Write[object]] = []
        self._leading = False

    def write(
        self,
        entries: Sequence[LogEntry],
        rows: Callable[[Connection, Appended], T] | None = None,
    ) -> tuple[Appended, T | None]:
        """Append ``entries`` and run ``rows(connection, appended)`` in the same committed
        transaction (shared with other callers'); returns where the entries went and what
        ``rows`` returned."""
        job: _Write[object] = _Write(
            entries=entries,
            rows=rows or (lambda _c, _a: None),
            encoded=[(e.kind.value, e.encode()) for e in entries],
        )
        with self._condition:
            self._queue.append(job)
            while not job.done:
                if self._leading:
                    self._condition.wait()
                    continue
                self._leading = True
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                self._condition.release()
                try:
                    self._commit(batch)
                finally:
                    for unfinished in batch:
                        if not unfinished.done:  # the leader itself was interrupted
                            unfinished.error = StorageError("the write was interrupted")
                            unfinished.done = True
                    self._condition.acquire()
                    self._leading = False
                    self._condition.notify_all()
        if job.error is not None:
            raise job.error
        assert job.result is not None
        appended, result = job.result
        return appended, result  # type: ignore[return-value]

    def _commit(self, batch: list[_Write[object]]) -> None:
        try:
            results = in_transaction(self.database, lambda c: self._run(c, batch))
        except BaseException as error:
            if len(batch) == 1:
                batch[0].error = error
                batch[0].done = True
                return
            for job in batch:
                self._commit([job])
            return
        for job, result in zip(batch, results, strict=True):
            job.result = result
            job.done = True

    @staticmethod
    def _run(connection: Connection, batch: list[_Write[object]]) -> list[tuple[Appended, object]]:
        everything = [pair for job in batch for pair in job.encoded]
        appended = TlogRepository(connection).append(everything)
        results: list[tuple[Appended, object]] = []
        index = appended.first_index
        for job in batch:
            own = Appended(first_index=index, size=index + len(job.encoded))
            results.append((own, job.rows(connection, own)))
            index = own.size
        return results
