"""Group commit on SQLite and PostgreSQL: concurrent writers share transactions, every write lands
once at its own log indices, and a failing write fails alone. And the cache of pinned partners
that every release reads."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accord.config import load_settings
from accord.crypto.descriptor import describe
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, StorageError
from accord.node import keys as key_files
from accord.node.keys import PinnedPartners
from accord.store.database import Database
from accord.store.group_commit import GroupCommitter, Insert
from accord.store.tables import outbox
from accord.store.tlog_repository import Appended, TlogRepository
from accord.tlog.entries import EntryKind, LogEntry, decode
from accord.tlog.merkle import MemoryTree, leaf_hash


def _entry(number: int) -> LogEntry:
    return LogEntry(
        EntryKind.AGREEMENT_EVENT,
        {"agreement": f"a{number}", "event": "signed", "at": "2024-01-01", "revision": number},
    )


def _row(number: int) -> dict[str, object]:
    return {
        "id": f"m{number}",
        "created_at": "2024-06-01T09:00:00+00:00",
        "sender_user": "alice",
        "recipient_nation": "PAK",
        "recipient_node": "pak.example",
        "capability": "secure-communications",
        "activity": "joint-exercises",
        "label": {},
        "decision": {},
        "envelope": b"sealed",
        "envelope_digest": "0" * 64,
        "log_index": 0,
        "status": "queued",
    }


def _clashing_insert(number: int) -> Callable[[Appended], list[Insert]]:
    """The outbox row of write ``number``: writes 3 and 7 insert the same id, so the second
    of them fails."""

    def inserts(appended: Appended) -> list[Insert]:
        row = {**_row(999 if number in (3, 7) else number), "log_index": appended.first_index}
        return [(outbox, row)]

    return inserts


def test_concurrent_writes_each_land_once_with_their_rows(database: Database) -> None:
    committer = GroupCommitter(database, max_batch=8)
    start = threading.Barrier(16)

    def write(number: int) -> Appended:
        def rows(connection: Connection, appended: Appended) -> None:
            connection.execute(outbox.insert(), {**_row(number), "log_index": appended.first_index})

        if number < 16:
            start.wait()
        appended, _ = committer.write([_entry(number), _entry(number)], rows)
        return appended

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(write, range(96)))
    # Each write got two consecutive indices of its own; together they cover the log exactly.
    indices = sorted(i for a in results for i in range(a.first_index, a.size))
    assert indices == list(range(192))
    assert all(a.size - a.first_index == 2 for a in results)
    with database.transaction() as connection:
        repository = TlogRepository(connection)
        stored = {
            str(r.id): int(r.log_index)
            for r in connection.execute(sa.select(outbox.c.id, outbox.c.log_index))
        }
        for number, appended in enumerate(results):
            assert stored[f"m{number}"] == appended.first_index
            _, data = repository.entry(appended.first_index)
            assert decode(data).fields["revision"] == number
        tree = MemoryTree()
        for data in repository.entries(0, 192):
            tree.append(leaf_hash(data))
        assert repository.root()[1] == tree.root()


def test_a_failing_write_fails_alone(database: Database) -> None:
    committer = GroupCommitter(database, max_batch=32)
    start = threading.Barrier(12)

    def write(number: int) -> str:
        def rows(connection: Connection, appended: Appended) -> None:
            # Two writers insert the same outbox id: the second must fail, nobody else.
            same = 999 if number in (3, 7) else number
            connection.execute(outbox.insert(), {**_row(same), "log_index": appended.first_index})

        start.wait()
        try:
            committer.write([_entry(number)], rows)
        except Exception as error:
            return type(error).__name__
        return "ok"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(write, range(12)))
    assert outcomes.count("ok") == 11
    assert [o for o in outcomes if o != "ok"] == ["StorageError"]
    with database.transaction() as connection:
        # The failed write's log entry rolled back with its row: 11 entries, 11 rows.
        assert TlogRepository(connection).size() == 11
        assert connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar() == 11


def test_inserts_go_in_one_statement_per_table_and_a_failing_one_fails_alone(
    database: Database,
) -> None:
    committer = GroupCommitter(database, max_batch=32)
    # Queued together: numbers 3 and 7 insert the same outbox id, so the second one's batch
    # fails and is retried one write at a time; only that write reports the error.
    futures = [
        committer.submit([_entry(number)], inserts=_clashing_insert(number)) for number in range(12)
    ]
    outcomes = [type(f.exception()).__name__ if f.exception() else "ok" for f in futures]
    assert outcomes.count("ok") == 11
    assert [o for o in outcomes if o != "ok"] == ["StorageError"]
    with database.transaction() as connection:
        assert TlogRepository(connection).size() == 11
        stored = dict(connection.execute(sa.select(outbox.c.id, outbox.c.log_index)).all())
        for index in range(11):
            _kind, data = TlogRepository(connection).entry(index)
            number = decode(data).fields["revision"]
            expected_id = f"m{999 if number in (3, 7) else number}"
            assert stored[expected_id] == index


def test_an_error_raised_by_the_rows_reaches_its_caller_unchanged(database: Database) -> None:
    committer = GroupCommitter(database)

    def refuse(_connection: Connection, _appended: Appended) -> None:
        raise Conflict("already received")

    with pytest.raises(Conflict, match="already received"):
        committer.write([_entry(1)], refuse)
    with database.transaction() as connection:
        assert TlogRepository(connection).size() == 0
    appended, result = committer.write([_entry(2)], lambda _c, a: a.first_index)
    assert (appended.first_index, result) == (0, 0)


def test_submitted_writes_settle_after_their_commit_and_close_drains_the_queue(
    database: Database,
) -> None:
    committer = GroupCommitter(database, max_batch=4)
    futures = [committer.submit([_entry(n)], lambda _c, a: a.first_index) for n in range(10)]
    committer.close()  # writes what is queued, then stops the writer thread
    assert [f.result(timeout=0)[1] for f in futures] == list(range(10))
    with database.transaction() as connection:
        assert TlogRepository(connection).size() == 10
    with pytest.raises(StorageError, match="shutting down"):
        committer.submit([_entry(11)])


@contextmanager
def _counting_commits(database: Database) -> Iterator[list[int]]:
    """A one-item list: how many transactions committed in the block (once it ended)."""
    counted = [0]

    def count(_connection: object) -> None:
        counted[0] += 1

    sa.event.listen(database.engine, "commit", count)
    try:
        yield counted
    finally:
        sa.event.remove(database.engine, "commit", count)


def test_writes_submitted_on_an_event_loop_are_committed_by_it_together(
    database: Database,
) -> None:
    """The API's releases: writes queued on the loop's thread, before it yields, share one
    transaction that the loop runs itself (no writer thread is started); a failing one fails
    alone."""
    committer = GroupCommitter(database, max_batch=32)

    async def release_twelve() -> list[str]:
        futures = [
            asyncio.wrap_future(committer.submit([_entry(n)], inserts=_clashing_insert(n)))
            for n in range(12)
        ]
        assert not any(f.done() for f in futures)  # nothing is written before the loop turns
        settled = await asyncio.gather(*futures, return_exceptions=True)
        return [type(s).__name__ if isinstance(s, BaseException) else "ok" for s in settled]

    with _counting_commits(database) as commits:
        outcomes = asyncio.run(release_twelve())
    assert outcomes.count("ok") == 11
    assert [o for o in outcomes if o != "ok"] == ["StorageError"]
    assert committer._thread is None  # the loop wrote; no writer thread ran
    # The batch failed on the duplicate, then each write was committed alone: 11 commits.
    assert commits == [11]
    with database.transaction() as connection:
        assert TlogRepository(connection).size() == 11


def test_an_event_loop_commits_a_batch_of_good_writes_once(database: Database) -> None:
    committer = GroupCommitter(database, max_batch=8)

    async def twenty() -> list[int]:
        futures = [
            asyncio.wrap_future(committer.submit([_entry(n)], lambda _c, a: a.first_index))
            for n in range(20)
        ]
        return [result for _appended, result in await asyncio.gather(*futures)]

    with _counting_commits(database) as commits:
        indices = asyncio.run(twenty())
    assert indices == list(range(20))
    assert commits == [3]  # 20 writes, at most 8 a transaction


def test_a_batched_block_commits_its_writes_in_its_own_thread_at_its_end(
    database: Database,
) -> None:
    """A received transaction's envelopes: queued in ``batched()``, committed together by the
    receiving thread when the block ends; a ``write`` inside the block (a refusal logged at
    once) commits alone, at once, rather than waiting for the block."""
    committer = GroupCommitter(database, max_batch=32)
    with _counting_commits(database) as commits:
        with committer.batched():
            futures = [committer.submit([_entry(n)], lambda _c, a: a.first_index) for n in range(5)]
            assert not any(f.done() for f in futures)
            appended, _ = committer.write([_entry(99)])
            assert appended.first_index == 0  # committed before the batch
        assert [f.result(timeout=0)[1] for f in futures] == [1, 2, 3, 4, 5]
    assert commits == [2]
    assert committer._thread is None  # no writer thread was needed


def test_pinned_partners_are_read_again_only_when_a_pin_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path))
    settings = load_settings()
    partners = PinnedPartners(settings)
    assert partners.current() == {}
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    pak = NodeKeys.generate("pak.example", "PAK", now)
    key_files.pin(settings, describe(pak, now).encode())
    first = partners.current()
    assert set(first) == {"pak.example"}
    assert partners.current() is first  # unchanged directory: not parsed again
    key_files.pin(settings, describe(NodeKeys.generate("ind.example", "IND", now), now).encode())
    assert set(partners.current()) == {"pak.example", "ind.example"}
