"""The outbox's repository: released messages and their delivery state, as frozen values.

Every state change is applied through :meth:`OutboxRepository.change`, which takes the event
(``federation.outbox``) and updates only the messages still in a state that allows it: two workers
(or a worker and an operator) cannot move a message along two paths at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.federation.outbox import (
    CLAIMABLE,
    OutboxEvent,
    OutboxState,
    states_allowing,
    transition,
)
from accord.store.database import rows_whose_id_starts
from accord.store.peer_repository import PeerRepository
from accord.store.tables import outbox, outbox_history
from accord.store.tlog_repository import Appended


def _stamp(value: dt.datetime) -> str:
    # The outbox's times are stored as ISO 8601 in UTC (offset +00:00), which sort as strings.
    return value.astimezone(dt.UTC).isoformat()


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """A released message as a delivery pass needs it."""

    id: str
    recipient_nation: str
    recipient_node: str
    capability: str
    activity: str
    label: dict[str, Any]
    envelope: bytes
    attempts: int
    txn_id: str | None
    #: The state it was claimed from (queued, held, or sending after a dead pass's lease).
    state: OutboxState


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """The sender's view of one message (the outbox list and ``messages status``)."""

    id: str
    created_at: str
    sender_user: str
    recipient_nation: str
    recipient_node: str
    capability: str
    activity: str
    log_index: int
    state: OutboxState
    reason: str | None
    label: dict[str, Any]
    attempts: int
    next_attempt_at: str | None
    receipt: dict[str, Any] | None
    updated_at: str | None

    def to_dict(self, *, detailed: bool = False) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "id": self.id,
            "created_at": self.created_at,
            "sender_user": self.sender_user,
            "recipient_nation": self.recipient_nation,
            "recipient_node": self.recipient_node,
            "capability": self.capability,
            "activity": self.activity,
            "log_index": self.log_index,
            "status": self.state.value,
            "reason": self.reason,
        }
        if detailed:
            shown |= {
                "attempts": self.attempts,
                "next_attempt_at": self.next_attempt_at,
                "receipt": self.receipt,
                "updated_at": self.updated_at,
            }
        return shown


@dataclass(frozen=True, slots=True)
class StateChange:
    """One change in a message's life after its release."""

    at: str
    state: str
    event: str
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "state": self.state, "event": self.event, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Change:
    """One message's state change: the event, and what it records with the new state."""

    message: str
    event: OutboxEvent
    reason: str | None = None
    #: When the message is next due to a delivery pass (None: not again, or unchanged).
    next_attempt_at: dt.datetime | None = None
    attempts: int | None = None
    receipt: dict[str, Any] | None = None


_ENTRY_COLUMNS = (
    outbox.c.id,
    outbox.c.created_at,
    outbox.c.sender_user,
    outbox.c.recipient_nation,
    outbox.c.recipient_node,
    outbox.c.capability,
    outbox.c.activity,
    outbox.c.log_index,
    outbox.c.status,
    outbox.c.status_reason,
    outbox.c.label,
    outbox.c.attempts,
    outbox.c.next_attempt_at,
    outbox.c.receipt,
    outbox.c.updated_at,
)

_DUE_COLUMNS = (
    outbox.c.id,
    outbox.c.recipient_nation,
    outbox.c.recipient_node,
    outbox.c.capability,
    outbox.c.activity,
    outbox.c.label,
    outbox.c.envelope,
    outbox.c.attempts,
    outbox.c.txn_id,
    outbox.c.status,
)

_IS_DUE = (
    outbox.c.status.in_([s.value for s in CLAIMABLE]),
    # Messages to a node that is not (yet) a peer wait untouched: nothing could send them.
    outbox.c.recipient_node.in_(sa.bindparam("nodes", expanding=True)),
    sa.or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= sa.bindparam("now")),
)


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        id=str(row.id),
        created_at=str(row.created_at),
        sender_user=str(row.sender_user),
        recipient_nation=str(row.recipient_nation),
        recipient_node=str(row.recipient_node),
        capability=str(row.capability),
        activity=str(row.activity),
        log_index=int(row.log_index),
        state=OutboxState(row.status),
        reason=row.status_reason,
        label=dict(row.label),
        attempts=int(row.attempts),
        next_attempt_at=row.next_attempt_at,
        receipt=dict(row.receipt) if row.receipt is not None else None,
        updated_at=row.updated_at,
    )


class OutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- released ---------------------------------------------------------------------------

    @staticmethod
    def released_row(
        *,
        message: str,
        created_at: dt.datetime,
        sender_user: str,
        recipient_nation: str,
        recipient_node: str,
        capability: str,
        activity: str,
        label: dict[str, Any],
        decision: dict[str, Any],
        envelope: bytes,
        envelope_digest: str,
        log_index: int,
    ) -> tuple[sa.Table, dict[str, Any]]:
        """The row a permitted release inserts (through the group commit, with its log
        entries): the message, queued."""
        return outbox, {
            "id": message,
            "created_at": _stamp(created_at),
            "sender_user": sender_user,
            "recipient_nation": recipient_nation,
            "recipient_node": recipient_node,
            "capability": capability,
            "activity": activity,
            "label": label,
            "decision": decision,
            "envelope": envelope,
            "envelope_digest": envelope_digest,
            "log_index": log_index,
            "status": transition(None, OutboxEvent.RELEASED).value,
        }

    # -- reading ----------------------------------------------------------------------------

    def entries(self) -> list[OutboxEntry]:
        rows = self.connection.execute(sa.select(*_ENTRY_COLUMNS).order_by(outbox.c.created_at))
        return [_entry(row) for row in rows]

    def starting(self, prefix: str, limit: int = 50) -> list[OutboxEntry]:
        """Messages whose id starts with ``prefix``."""
        rows = rows_whose_id_starts(self.connection, _ENTRY_COLUMNS, outbox.c.id, prefix, limit)
        return [_entry(r) for r in rows]

    def entry(self, message: str) -> OutboxEntry | None:
        row = self.connection.execute(
            sa.select(*_ENTRY_COLUMNS).where(outbox.c.id == message)
        ).first()
        return None if row is None else _entry(row)

    def page(
        self, limit: int, before: tuple[str, str] | None = None, status: str | None = None
    ) -> list[OutboxEntry]:
        """Up to ``limit`` messages, newest first, older than ``before`` (a message's created
        time and id: the previous page's last), in ``status`` if given (the created-time and
        status-and-created-time indexes answer it without a sort)."""
        statement = sa.select(*_ENTRY_COLUMNS)
        if status is not None:
            statement = statement.where(outbox.c.status == status)
        if before is not None:
            statement = statement.where(sa.tuple_(outbox.c.created_at, outbox.c.id) < before)
        statement = statement.order_by(outbox.c.created_at.desc(), outbox.c.id.desc())
        return [_entry(row) for row in self.connection.execute(statement.limit(limit))]

    def health(self, since: dt.datetime) -> dict[str, int]:
        """How many messages are in each state now, and ``delivered_since``: how many were
        delivered since ``since`` (the status index answers the first without a scan)."""
        counts = {
            str(status): int(n)
            for status, n in self.connection.execute(
                sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
            )
        }
        counts["delivered_since"] = int(
            self.connection.scalar(
                sa.select(sa.func.count()).where(
                    outbox.c.status == "delivered", outbox.c.updated_at >= _stamp(since)
                )
            )
            or 0
        )
        return counts

    def envelope(self, message: str) -> bytes | None:
        found = self.connection.execute(
            sa.select(outbox.c.envelope).where(outbox.c.id == message)
        ).scalar_one_or_none()
        return None if found is None else bytes(found)

    # -- delivery ---------------------------------------------------------------------------

    def any_due(self, nodes: Iterable[str], now: dt.datetime) -> bool:
        query = sa.select(outbox.c.id).where(*_IS_DUE).limit(1)
        due = {"nodes": sorted(nodes), "now": _stamp(now)}
        return self.connection.execute(query, due).first() is not None

    def claim(
        self,
        nodes: Iterable[str],
        now: dt.datetime,
        *,
        lease_until: dt.datetime,
        limit: int,
        skip_locked: bool,
    ) -> list[QueuedMessage]:
        """The messages due now, oldest first, marked ``sending`` until ``lease_until``."""
        query = sa.select(*_DUE_COLUMNS).where(*_IS_DUE).order_by(outbox.c.created_at).limit(limit)
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        due = {"nodes": sorted(nodes), "now": _stamp(now)}
        rows = self.connection.execute(query, due).all()
        if rows:
            self.connection.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_([r.id for r in rows]))
                .values(
                    status=OutboxState.SENDING.value,
                    next_attempt_at=_stamp(lease_until),
                    updated_at=_stamp(now),
                )
            )
        return [
            QueuedMessage(
                id=str(r.id),
                recipient_nation=str(r.recipient_nation),
                recipient_node=str(r.recipient_node),
                capability=str(r.capability),
                activity=str(r.activity),
                label=dict(r.label),
                envelope=bytes(r.envelope),
                attempts=int(r.attempts),
                txn_id=r.txn_id,
                state=OutboxState(r.status),
            )
            for r in rows
        ]

    def assign_transaction(self, messages: Sequence[str], txn: str) -> None:
        self.connection.execute(
            sa.update(outbox).where(outbox.c.id.in_(list(messages))).values(txn_id=txn)
        )

    def change(self, changes: Sequence[Change], now: dt.datetime) -> None:
        """Apply each change to its message if the message is still in a state that allows the
        event (one statement per kind of change: a batch's receipts in one round trip)."""
        groups: dict[tuple[OutboxEvent, bool, bool], list[Change]] = {}
        for change in changes:
            key = (change.event, change.attempts is not None, change.receipt is not None)
            groups.setdefault(key, []).append(change)
        for (event, with_attempts, with_receipt), group in groups.items():
            parameters = [_parameters(change, now) for change in group]
            # The history first: its guard reads the state (and reason) before the change; one
            # statement per reason (a batch's receipts, all accepted: one statement).
            by_reason: dict[str | None, list[str]] = {}
            for change in group:
                by_reason.setdefault(change.reason, []).append(change.message)
            for reason, messages in by_reason.items():
                self.connection.execute(
                    _history_for(event, batch=True),
                    {"messages": messages, "reason": reason, "now": _stamp(now)},
                )
            self.connection.execute(
                _update_for(event, with_attempts=with_attempts, with_receipt=with_receipt),
                parameters,
            )

    @staticmethod
    def changing(
        changes: Sequence[Change], now: dt.datetime, *, reached: str | None = None
    ) -> Callable[[Connection, Appended], None]:
        """``change`` as a group-commit write, in the transaction of its log entries; with
        ``reached``, the peer whose receipts these are was contacted (its last contact)."""

        def write(connection: Connection, _appended: Appended) -> None:
            OutboxRepository(connection).change(changes, now)
            if reached is not None:
                PeerRepository(connection).contacted(reached, "reached", now)

        return write

    def change_one(self, change: Change, now: dt.datetime) -> bool:
        """Apply one change; False if the message is not in a state that allows it."""
        statement = _update_for(
            change.event,
            with_attempts=change.attempts is not None,
            with_receipt=change.receipt is not None,
        )
        parameters = _parameters(change, now)
        self.connection.execute(_history_for(change.event), parameters)
        return bool(self.connection.execute(statement, parameters).rowcount)

    def history(self, message: str) -> list[StateChange]:
        """The message's changes of state after its release, oldest first."""
        rows = self.connection.execute(
            sa.select(
                outbox_history.c.at,
                outbox_history.c.state,
                outbox_history.c.event,
                outbox_history.c.reason,
            )
            .where(outbox_history.c.message_id == message)
            .order_by(outbox_history.c.id)
        )
        return [
            StateChange(at=str(r.at), state=str(r.state), event=str(r.event), reason=r.reason)
            for r in rows
        ]

    def held(self) -> list[str]:
        rows = self.connection.execute(
            sa.select(outbox.c.id).where(outbox.c.status == OutboxState.HELD.value)
        )
        return [str(r.id) for r in rows]


def _target(event: OutboxEvent) -> OutboxState:
    after = {transition(state, event) for state in states_allowing(event)}
    assert len(after) == 1, f"{event} leads to one state"
    return after.pop()


def _is_allowed(event: OutboxEvent) -> sa.ColumnElement[bool]:
    # Not IN (...): an expanding parameter cannot go in an executemany.
    return sa.or_(*(outbox.c.status == s.value for s in states_allowing(event)))


def _history_for(event: OutboxEvent, *, batch: bool = False) -> sa.Insert:
    """The history row ``event`` adds to each message it will change (run before the update:
    ``message``, or with ``batch`` the list ``messages``, and ``reason`` and ``now``). A hold or
    a failure for the reason already recorded adds none: a message held for days, or a peer
    down for days, is one row and a count of attempts."""
    chosen = (
        outbox.c.id.in_(sa.bindparam("messages", expanding=True))
        if batch
        else outbox.c.id == sa.bindparam("message")
    )
    guard = [chosen, _is_allowed(event)]
    if event in (OutboxEvent.HELD, OutboxEvent.SEND_FAILED):
        same = outbox.c.status_reason == sa.bindparam("reason", type_=sa.Text)
        guard.append(sa.or_(outbox.c.status_reason.is_(None), sa.not_(same)))
    row = sa.select(
        outbox.c.id,
        sa.bindparam("now", type_=sa.String),
        sa.literal_column(f"'{_target(event).value}'"),
        sa.literal_column(f"'{event.value}'"),
        sa.bindparam("reason", type_=sa.Text),
    ).where(*guard)
    columns = ["message_id", "at", "state", "event", "reason"]
    return sa.insert(outbox_history).from_select(columns, row)


def _update_for(event: OutboxEvent, *, with_attempts: bool, with_receipt: bool) -> sa.Update:
    """The guarded update for ``event``: only a message in a state that allows it changes."""
    values: dict[str, Any] = {
        "status": _target(event).value,
        "status_reason": sa.bindparam("reason"),
        "next_attempt_at": sa.bindparam("next"),
        "updated_at": sa.bindparam("now"),
    }
    if with_attempts:
        values["attempts"] = sa.bindparam("attempts")
    if with_receipt:
        values["receipt"] = sa.bindparam("receipt", type_=outbox.c.receipt.type)
    if event in (OutboxEvent.RETRIED, OutboxEvent.REGISTER_CHANGED):
        # Sent again in a new transaction, which the partner decides afresh.
        values["txn_id"] = None
    return (
        sa.update(outbox)
        .where(outbox.c.id == sa.bindparam("message"), _is_allowed(event))
        .values(**values)
    )


def _parameters(change: Change, now: dt.datetime) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "message": change.message,
        "reason": change.reason,
        "next": _stamp(change.next_attempt_at) if change.next_attempt_at else None,
        "now": _stamp(now),
    }
    if change.attempts is not None:
        parameters["attempts"] = change.attempts
    if change.receipt is not None:
        parameters["receipt"] = change.receipt
    return parameters
