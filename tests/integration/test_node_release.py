"""Releasing messages on one node, on SQLite and PostgreSQL: users and tokens, the decision,
the sealed envelope in the outbox and the log entries, all in one transaction."""

from __future__ import annotations

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from accord.agreements.public_record import public_record
from accord.clock import FixedClock
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import open_envelope
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, InvalidInput, NotFound
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.national import national_policy
from accord.node import users as users_module
from accord.node.delivery import DeliveryWorker
from accord.node.messaging import MessagingService
from accord.node.users import Role, UserService
from accord.policy.engine import PolicyEngine
from accord.store.database import Database
from accord.store.group_commit import GroupCommitter
from accord.store.tables import outbox
from accord.store.tlog_repository import TlogRepository
from accord.tlog.entries import decode

CLOCK = FixedClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
USA_KEYS = NodeKeys.generate("usa.example", "USA", CLOCK.now())
PAK_KEYS = NodeKeys.generate("pak.example", "PAK", CLOCK.now())


@pytest.fixture
def users(database: Database) -> UserService:
    service = UserService(database, CLOCK, national_policy("USA"), "USA")
    service.add("alice", "officer", "SECRET", [])
    service.add("carol", "officer", "CONFIDENTIAL", [])
    service.add("olga", "operator", None, [])
    return service


def messaging(
    database: Database, users: UserService, clock: FixedClock = CLOCK
) -> MessagingService:
    partner = parse_descriptor(describe(PAK_KEYS, clock.now()).encode())
    return MessagingService(
        database,
        clock,
        keys=USA_KEYS,
        engine=PolicyEngine(public_record()),
        users=users,
        partners={partner.node: partner},
    )


def label(banner: str):  # type: ignore[no-untyped-def]
    return banner_to_label(parse_banner(banner), national_policy("USA"))


def test_a_permitted_release_is_sealed_queued_and_logged_together(
    database: Database, users: UserService
) -> None:
    result = messaging(database, users).release(
        user_name="alice",
        recipient="PAK",
        label=label("UNCLASSIFIED"),
        capability="secure-communications",
        activity="joint-exercises",
        body=b"rendezvous 0600",
    )
    assert result.decision.permit
    assert result.id is not None
    with database.transaction() as connection:
        row = connection.execute(sa.select(outbox).where(outbox.c.id == result.id)).one()
        log = TlogRepository(connection)
        first, second = (
            decode(log.entry(result.log_index)[1]),
            decode(log.entry(result.log_index + 1)[1]),
        )
    assert row.status == "queued"
    assert row.recipient_node == "pak.example"
    assert first.fields["decision"] == "permit"
    assert first.fields["agreements"] == ["pak-usa-cismoa"]
    assert second.fields["envelope"] == result.id
    # The partner opens what was queued for it.
    opened = io.BytesIO()
    sender = parse_descriptor(describe(USA_KEYS, CLOCK.now()).encode())
    open_envelope(io.BytesIO(bytes(row.envelope)), opened, recipient=PAK_KEYS, sender=sender)
    assert opened.getvalue() == b"rendezvous 0600"


def test_a_denied_release_is_logged_and_nothing_is_queued(
    database: Database, users: UserService
) -> None:
    lapsed = FixedClock(dt.datetime(2021, 6, 1, 9, 0, tzinfo=dt.UTC))
    result = messaging(database, users, lapsed).release(
        user_name="alice",
        recipient="PAK",
        label=label("UNCLASSIFIED"),
        capability="secure-communications",
        activity="joint-exercises",
        body=b"x",
    )
    assert not result.decision.permit
    assert result.id is None
    with database.transaction() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar() == 0
        entry = decode(TlogRepository(connection).entry(result.log_index)[1])
    assert entry.fields["decision"] == "deny"


def test_officers_only_and_only_what_they_may_read(database: Database, users: UserService) -> None:
    service = messaging(database, users)
    common = {
        "recipient": "PAK",
        "capability": "secure-communications",
        "activity": "joint-exercises",
        "body": b"x",
    }
    with pytest.raises(InvalidInput, match="operator"):
        service.release(user_name="olga", label=label("UNCLASSIFIED"), **common)
    with pytest.raises(InvalidInput, match="may not release what they may not read"):
        service.release(user_name="carol", label=label("SECRET//REL TO USA, PAK"), **common)
    users.revoke("alice")
    with pytest.raises(InvalidInput, match="revoked"):
        service.release(user_name="alice", label=label("UNCLASSIFIED"), **common)
    with pytest.raises(InvalidInput, match="no pinned node of IND"):
        service.release(
            user_name="carol",
            label=label("UNCLASSIFIED"),
            **{
                **common,
                "recipient": "IND",
                "capability": "logistics-support",
                "activity": "port-calls",
            },
        )


def test_users_and_tokens(database: Database, users: UserService) -> None:
    with pytest.raises(Conflict):
        users.add("alice", "officer", "SECRET", [])
    with pytest.raises(InvalidInput, match="not a level"):
        users.add("dave", "officer", "ULTRA", [])
    with pytest.raises(InvalidInput, match="needs a clearance"):
        users.add("erin", "officer", None, [])
    with pytest.raises(InvalidInput, match="unknown role"):
        users.add("fred", "king", None, [])
    issued = users.create_token("alice")
    assert users.authenticate(issued.token).name == "alice"
    with database.transaction() as connection:
        stored = connection.execute(sa.text("select token_hash from tokens")).scalar()
    assert issued.token not in str(stored)
    users.revoke_token(issued.id)
    with pytest.raises(InvalidInput, match="not valid"):
        users.authenticate(issued.token)
    expired = UserService(
        database, FixedClock(CLOCK.now() + dt.timedelta(days=91)), national_policy("USA"), "USA"
    )
    second = users.create_token("alice")
    with pytest.raises(InvalidInput, match="not valid"):
        expired.authenticate(second.token)
    with pytest.raises(NotFound):
        users.get("nobody")
    assert users.require("alice", Role.OFFICER).name == "alice"


def test_concurrent_releases_all_land_and_the_log_stays_whole(
    database: Database, users: UserService
) -> None:
    service = messaging(database, users)

    def one(i: int) -> int:
        result = service.release(
            user_name="alice",
            recipient="PAK",
            label=label("UNCLASSIFIED"),
            capability="secure-communications",
            activity="joint-exercises",
            body=f"message {i}".encode(),
        )
        assert result.decision.permit
        return result.log_index

    with ThreadPoolExecutor(max_workers=8) as pool:
        indexes = list(pool.map(one, range(32)))
    assert sorted(indexes) == list(range(0, 64, 2))
    with database.transaction() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(outbox)).scalar() == 32
        assert TlogRepository(connection).size() == 64


def test_a_token_is_believed_briefly_and_revocation_here_is_immediate(
    database: Database, users: UserService, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = users.create_token("alice")
    assert users.believed(issued.token) is None  # never checked yet: ask the database
    assert users.authenticate(issued.token).name == "alice"
    assert users.believed(issued.token) is not None
    # Revoked through this service: forgotten at once.
    users.revoke_token(issued.id)
    assert users.believed(issued.token) is None
    # Revoked by another process (another service on the same database): believed until the
    # cache time runs out, then refused.
    second = users.create_token("alice")
    assert users.authenticate(second.token).name == "alice"
    elsewhere = UserService(database, CLOCK, national_policy("USA"), "USA")
    elsewhere.revoke("alice")
    assert users.believed(second.token) is not None
    now = users_module.time.monotonic()
    monkeypatch.setattr(
        users_module.time, "monotonic", lambda: now + users_module.TOKEN_CACHE_SECONDS
    )
    assert users.believed(second.token) is None
    with pytest.raises(InvalidInput, match="not valid"):
        users.authenticate(second.token)
    # An expired token is not believed even inside the cache time.
    clock = FixedClock(CLOCK.now())
    moving = UserService(database, clock, national_policy("USA"), "USA")
    moving.add("dora", "officer", "SECRET", [])
    third = moving.create_token("dora", lifetime=dt.timedelta(minutes=1))
    moving.authenticate(third.token)
    clock.advance(dt.timedelta(minutes=2))
    assert moving.believed(third.token) is None


def test_the_delivery_worker_leaves_messages_to_non_peers_untouched(
    database: Database, users: UserService
) -> None:
    service = messaging(database, users)
    released = service.release(
        user_name="alice",
        recipient="PAK",
        label=label("UNCLASSIFIED"),
        capability="secure-communications",
        activity="joint-exercises",
        body=b"exercise starts at 0600",
    )

    def worker(urls: dict[str, str]) -> DeliveryWorker:
        return DeliveryWorker(
            database,
            CLOCK,
            keys=USA_KEYS,
            engine=service.engine,
            partners=service.partners,
            urls=urls,
            committer=GroupCommitter(database),
            jitter=lambda: 0.0,
        )

    def row() -> tuple[str, int, str | None]:
        with database.transaction() as connection:
            found = connection.execute(
                sa.select(outbox.c.status, outbox.c.attempts, outbox.c.status_reason)
            ).one()
        return str(found.status), int(found.attempts), found.status_reason

    report = worker({}).run_once()
    assert (report.delivered, report.failed, report.held) == (0, 0, 0)
    assert row() == ("queued", 0, None)
    # Once PAK's node is a peer (here one that does not answer), the message is tried.
    unreachable = worker({"pak.example": "http://127.0.0.1:9"}).run_once()
    assert unreachable.failed == 1
    status, attempts, reason = row()
    assert (status, attempts) == ("queued", 1)
    assert reason is not None
    assert "unreachable" in reason
    assert released.id is not None
