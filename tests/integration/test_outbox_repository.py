"""The outbox's repository on SQLite and PostgreSQL: a state change applies only to a message in
a state that allows its event, claims move due messages to sending under a lease, and a retried
message is sent in a new transaction."""

from __future__ import annotations

import datetime as dt

from accord.federation.outbox import OutboxEvent, OutboxState
from accord.store.outbox_repository import Change, OutboxRepository

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def _release(database, message: str) -> None:
    table, row = OutboxRepository.released_row(
        message=message,
        created_at=NOW,
        sender_user="alice",
        recipient_nation="PAK",
        recipient_node="pak.example",
        capability="secure-communications",
        activity="joint-exercises",
        label={"policy_id": "1.2.3", "classification": 1, "categories": []},
        decision={"permit": True},
        envelope=b"sealed",
        envelope_digest="0" * 64,
        log_index=0,
    )
    with database.transaction() as connection:
        connection.execute(table.insert(), [row])


def _state(database, message: str) -> OutboxState:
    with database.reading() as connection:
        found = OutboxRepository(connection).entry(message)
    assert found is not None
    return found.state


def test_claims_send_and_settle_under_the_state_machine(database) -> None:
    _release(database, "m1")
    _release(database, "m2")
    assert _state(database, "m1") is OutboxState.QUEUED
    with database.transaction() as connection:
        repository = OutboxRepository(connection)
        claimed = repository.claim(
            ["pak.example"], NOW, lease_until=NOW + dt.timedelta(seconds=60), limit=10,
            skip_locked=database.dialect == "postgresql",
        )  # fmt: skip
        assert [m.id for m in claimed] == ["m1", "m2"]
        assert {m.state for m in claimed} == {OutboxState.QUEUED}
        repository.assign_transaction(["m1", "m2"], "txn-1")
    assert _state(database, "m1") is OutboxState.SENDING
    with database.reading() as connection:
        # Under the lease, nothing is due; after it, the claims are due again.
        assert not OutboxRepository(connection).any_due(["pak.example"], NOW)
        assert OutboxRepository(connection).any_due(["pak.example"], NOW + dt.timedelta(seconds=61))
    with database.transaction() as connection:
        OutboxRepository(connection).change(
            [
                Change("m1", OutboxEvent.ACCEPTED, receipt={"status": "accepted"}),
                Change("m2", OutboxEvent.REFUSED, reason="refused: no", receipt={"s": "r"}),
            ],
            NOW,
        )
    assert _state(database, "m1") is OutboxState.DELIVERED
    assert _state(database, "m2") is OutboxState.REFUSED


def test_a_change_the_state_does_not_allow_is_not_applied(database) -> None:
    _release(database, "m1")
    with database.transaction() as connection:
        repository = OutboxRepository(connection)
        # Queued, not sending: a receipt cannot settle it, a failed send cannot back it off.
        repository.change([Change("m1", OutboxEvent.ACCEPTED, receipt={})], NOW)
        assert not repository.change_one(Change("m1", OutboxEvent.SEND_FAILED, attempts=1), NOW)
    assert _state(database, "m1") is OutboxState.QUEUED


def test_a_retried_message_is_sent_in_a_new_transaction(database) -> None:
    _release(database, "m1")
    with database.transaction() as connection:
        repository = OutboxRepository(connection)
        repository.claim(["pak.example"], NOW, lease_until=NOW, limit=1, skip_locked=False)
        repository.assign_transaction(["m1"], "txn-1")
        repository.change([Change("m1", OutboxEvent.REFUSED, reason="refused: x")], NOW)
        assert repository.change_one(Change("m1", OutboxEvent.RETRIED, reason="retried"), NOW)
    with database.transaction() as connection:
        claimed = OutboxRepository(connection).claim(
            ["pak.example"], NOW, lease_until=NOW, limit=1, skip_locked=False
        )
    assert [(m.id, m.state, m.txn_id) for m in claimed] == [("m1", OutboxState.QUEUED, None)]


def test_messages_are_found_by_the_start_of_their_id(database) -> None:
    for message in ("5597ad0c-0001", "5597ad0c-0002", "77aa0000-0003"):
        _release(database, message)
    with database.reading() as connection:
        repository = OutboxRepository(connection)
        assert [e.id for e in repository.starting("5597")] == ["5597ad0c-0001", "5597ad0c-0002"]
        assert [e.id for e in repository.starting("77aa0000-0003")] == ["77aa0000-0003"]
        assert repository.starting("5597ad0c_") == []  # LIKE's wildcards are escaped


def _claim(database, at: dt.datetime) -> None:
    with database.transaction() as connection:
        OutboxRepository(connection).claim(
            ["pak.example"], at, lease_until=at, limit=10,
            skip_locked=database.dialect == "postgresql",
        )  # fmt: skip


def test_a_messages_life_lists_each_change_once_per_reason(database) -> None:
    _release(database, "m1")
    later = [NOW + dt.timedelta(minutes=n) for n in range(6)]
    down = "pak.example unreachable: ConnectError"
    for at, reason in zip(later[:3], [down, down, "pak.example answered 503: busy"], strict=True):
        _claim(database, at)
        with database.transaction() as connection:
            OutboxRepository(connection).change(
                [Change("m1", OutboxEvent.SEND_FAILED, reason=reason, attempts=1)], at
            )
    _claim(database, later[3])
    with database.transaction() as connection:
        repository = OutboxRepository(connection)
        repository.change([Change("m1", OutboxEvent.ACCEPTED, receipt={"status": "accepted"})],
                          later[3])  # fmt: skip
        # Not allowed once delivered: neither applied nor listed.
        assert not repository.change_one(Change("m1", OutboxEvent.HELD, reason="x"), later[4])
    with database.reading() as connection:
        life = OutboxRepository(connection).history("m1")
        assert OutboxRepository(connection).history("m2") == []
    assert [(c.state, c.event, c.reason) for c in life] == [
        ("queued", "send-failed", down),  # the second failure for the same reason: not listed
        ("queued", "send-failed", "pak.example answered 503: busy"),
        ("delivered", "accepted", None),
    ]
    assert [c.at for c in life] == [later[0].isoformat(), later[2].isoformat(),
                                    later[3].isoformat()]  # fmt: skip
