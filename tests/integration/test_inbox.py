"""Receiving a partner's envelope and reading it, on SQLite and PostgreSQL: decided again under
the receiver's register, stored sealed, listed and opened only for readers cleared for it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from accord.agreements.public_record import public_record
from accord.clock import FixedClock
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import Release, recipients_of, seal
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, InvalidInput, NotFound, ReleaseDenied
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.equivalence import translate
from accord.labels.json_form import label_from_dict, label_to_dict
from accord.labels.national import national_policy
from accord.node.inbox import InboxService
from accord.node.users import UserService
from accord.policy.engine import PolicyEngine
from accord.store.database import Database
from accord.store.tables import inbox
from accord.store.tlog_repository import TlogRepository
from accord.tlog.entries import decode

NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
USA = NodeKeys.generate("usa.example", "USA", NOW)
PAK = NodeKeys.generate("pak.example", "PAK", NOW)
USA_DESCRIPTOR = parse_descriptor(describe(USA, NOW).encode())
PAK_DESCRIPTOR = parse_descriptor(describe(PAK, NOW).encode())


def envelope(banner: str, body: bytes = b"convoy at 0600") -> bytes:
    out = io.BytesIO()
    label = banner_to_label(parse_banner(banner), national_policy("USA"))
    seal(
        io.BytesIO(body),
        out,
        sender=USA,
        recipients=recipients_of(PAK_DESCRIPTOR),
        release=Release(
            label=label_to_dict(label),
            capability="secure-communications",
            activity="joint-exercises",
        ),
        now=NOW,
    )
    return out.getvalue()


def service(database: Database, clock: FixedClock | None = None) -> InboxService:
    return InboxService(
        database,
        clock or FixedClock(NOW),
        keys=PAK,
        engine=PolicyEngine(public_record()),
        partners={USA_DESCRIPTOR.node: USA_DESCRIPTOR},
    )


def readers(database: Database) -> UserService:
    users = UserService(database, FixedClock(NOW), national_policy("PAK"), "PAK")
    users.add("babar", "officer", "SECRET", [])
    users.add("zafar", "officer", "RESTRICTED", [])
    return users


def test_accepted_envelopes_are_listed_and_read_by_cleared_readers_only(database: Database) -> None:
    users = readers(database)
    received = service(database).accept(envelope("UNCLASSIFIED"))
    assert received.marking == "UNCLASSIFIED"
    babar, zafar = users.get("babar"), users.get("zafar")
    assert [m["id"] for m in service(database).list_for(babar)] == [received.id]
    assert service(database).read(babar, received.id) == b"convoy at 0600"
    assert [m["id"] for m in service(database).list_for(zafar)] == [received.id]
    with database.transaction() as connection:
        entry = decode(TlogRepository(connection).entry(received.log_index)[1])
        stored = connection.execute(sa.select(inbox.c.envelope)).scalar_one()
    assert entry.fields["status"] == "accepted"
    assert b"convoy" not in bytes(stored)  # sealed at rest


def test_nobody_learns_of_what_they_may_not_read(database: Database) -> None:
    # A PAK-internal SECRET message can only come from a partner under an equivalence agreement,
    # which PAK and USA lack; so test the rule with a stored row's label directly.
    users = readers(database)
    received = service(database).accept(envelope("UNCLASSIFIED"))
    secret = label_to_dict(
        banner_to_label(parse_banner("SECRET//REL TO USA, PAK"), national_policy("USA"))
    )
    local = translate(label_from_dict(secret), national_policy("USA"), national_policy("PAK"))
    with database.transaction() as connection:
        connection.execute(
            sa.update(inbox).values(
                local_label=label_to_dict(local), local_marking="SECRET - RELEASABLE TO PAK, USA"
            )
        )
    zafar = users.get("zafar")
    assert service(database).list_for(zafar) == []
    with pytest.raises(NotFound):
        service(database).read(zafar, received.id)
    assert service(database).list_for(users.get("babar"))


def test_the_receiver_decides_again_and_refuses_during_the_lapse(database: Database) -> None:
    lapsed = FixedClock(dt.datetime(2021, 6, 1, 9, 0, tzinfo=dt.UTC))
    with pytest.raises(ReleaseDenied) as refused:
        # The receiver's clock says 2021: under its own register the CISMOA had lapsed.
        service(database, lapsed).accept(envelope("UNCLASSIFIED"))
    assert refused.value.body["permit"] is False
    with database.transaction() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar() == 0
        entry = decode(TlogRepository(connection).entry(refused.value.body["log_index"])[1])
    assert entry.fields["status"] == "rejected"


def test_duplicates_strangers_and_tampering_are_refused(database: Database) -> None:
    data = envelope("UNCLASSIFIED")
    service(database).accept(data)
    with pytest.raises(Conflict):
        service(database).accept(data)
    stranger = InboxService(
        database, FixedClock(NOW), keys=PAK, engine=PolicyEngine(public_record()), partners={}
    )
    with pytest.raises(InvalidInput, match="not a pinned partner"):
        stranger.accept(envelope("UNCLASSIFIED"))
    with pytest.raises(InvalidInput, match="not an Accord envelope"):
        service(database).accept(b"garbage")


def test_a_duplicate_queued_with_new_envelopes_fails_alone(database: Database) -> None:
    receiver = service(database)
    first = envelope("UNCLASSIFIED", b"first")
    receiver.accept(first)
    fresh = [envelope("UNCLASSIFIED", f"fresh {n}".encode()) for n in range(3)]
    # Queued together, they share a batch: the duplicate's primary key fails the batch, which is
    # retried one write at a time; only the duplicate is refused, the others are stored.
    pending = [receiver.accept_submit(data) for data in [fresh[0], first, fresh[1], fresh[2]]]
    outcomes = []
    for future in pending:
        try:
            outcomes.append(future.result().id)
        except Conflict:
            outcomes.append("conflict")
    assert outcomes[1] == "conflict"
    assert "conflict" not in outcomes[:1] + outcomes[2:]
    with database.transaction() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar() == 4
        # The refused duplicate's log entry rolled back with it: 1 + 3 entries.
        assert TlogRepository(connection).size() == 4
