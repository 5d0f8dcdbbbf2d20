"""The inbox's repository: messages received from partners and accepted under this node's own
register and policies (the envelope kept sealed, the label as sent and as this nation's policy
expresses it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.errors import Conflict
from accord.store.database import rows_whose_id_starts
from accord.store.tables import inbox
from accord.store.tlog_repository import Appended


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxMessage:
    id: str
    received_at: str
    sender_node: str
    sender_nation: str
    capability: str
    activity: str | None
    local_label: dict[str, Any]
    local_marking: str
    log_index: int


_LISTED = (
    inbox.c.id,
    inbox.c.received_at,
    inbox.c.sender_node,
    inbox.c.sender_nation,
    inbox.c.capability,
    inbox.c.activity,
    inbox.c.local_label,
    inbox.c.local_marking,
    inbox.c.log_index,
)
_RECEIVED = sa.select(inbox.c.id).where(inbox.c.id == sa.bindparam("id"))


def _message(row: Any) -> InboxMessage:
    return InboxMessage(
        id=str(row.id),
        received_at=str(row.received_at),
        sender_node=str(row.sender_node),
        sender_nation=str(row.sender_nation),
        capability=str(row.capability),
        activity=None if row.activity is None else str(row.activity),
        local_label=dict(row.local_label),
        local_marking=str(row.local_marking),
        log_index=int(row.log_index),
    )


class InboxRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @staticmethod
    def accepted_row(values: dict[str, Any], log_index: int) -> tuple[sa.Table, dict[str, Any]]:
        """The row an accepted envelope inserts (through the group commit, with its log entry):
        ``values`` holds id, received_at, sender_node, sender_nation, capability, activity,
        label, local_label, local_marking and envelope."""
        return inbox, {**values, "log_index": log_index}

    @staticmethod
    def refusing_duplicate(message: str) -> Callable[[Connection, Appended], None]:
        """A group-commit write that refuses (:class:`Conflict`) an envelope already received,
        inside the transaction that would log it again."""

        def check(connection: Connection, _appended: Appended) -> None:
            if connection.execute(_RECEIVED, {"id": message}).first():
                raise Conflict(f"envelope {message} was already received")

        return check

    def entries(self) -> list[InboxMessage]:
        rows = self.connection.execute(sa.select(*_LISTED).order_by(inbox.c.received_at))
        return [_message(r) for r in rows]

    def page(
        self,
        limit: int,
        before: tuple[str, str] | None = None,
        *,
        sender_nation: str | None = None,
        capability: str | None = None,
    ) -> list[InboxMessage]:
        """Up to ``limit`` messages, newest first, received before ``before`` (a message's
        received time and id: the previous page's last), from ``sender_nation`` and for
        ``capability`` if given."""
        statement = sa.select(*_LISTED)
        if sender_nation is not None:
            statement = statement.where(inbox.c.sender_nation == sender_nation)
        if capability is not None:
            statement = statement.where(inbox.c.capability == capability)
        if before is not None:
            statement = statement.where(sa.tuple_(inbox.c.received_at, inbox.c.id) < before)
        statement = statement.order_by(inbox.c.received_at.desc(), inbox.c.id.desc())
        return [_message(row) for row in self.connection.execute(statement.limit(limit))]

    def starting(self, prefix: str, limit: int = 50) -> list[InboxMessage]:
        """Messages whose id starts with ``prefix``."""
        rows = rows_whose_id_starts(self.connection, _LISTED, inbox.c.id, prefix, limit)
        return [_message(r) for r in rows]

    def entry(self, message: str) -> InboxMessage | None:
        row = self.connection.execute(sa.select(*_LISTED).where(inbox.c.id == message)).first()
        return None if row is None else _message(row)

    def sealed(self, message: str) -> tuple[InboxMessage, bytes] | None:
        """The message and its envelope, still sealed."""
        row = self.connection.execute(
            sa.select(*_LISTED, inbox.c.envelope).where(inbox.c.id == message)
        ).first()
        return None if row is None else (_message(row), bytes(row.envelope))
