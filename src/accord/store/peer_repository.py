"""The peers' repository: each partner node's URL and when it was added (its descriptor is pinned
in the node's key files, not here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.store.tables import peers

#: Last contact is written at most this often per peer: a busy link costs no write per request.
CONTACT_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PeerAddress:
    node: str
    url: str
    added_at: str
    #: When the peer last answered a delivery with its receipts, and last sent a request that
    #: passed the gate (ISO 8601, UTC; None: never).
    reached_at: str | None = None
    heard_at: str | None = None


def _address(row: sa.Row[Any]) -> PeerAddress:
    return PeerAddress(
        node=str(row.node),
        url=str(row.url),
        added_at=str(row.added_at),
        reached_at=row.reached_at,
        heard_at=row.heard_at,
    )


class PeerRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def save(self, node: str, url: str, now: dt.datetime) -> bool:
        """Record ``node`` at ``url`` (a known peer keeps its first date); True if it was
        known."""
        known = self.connection.execute(sa.select(peers.c.node).where(peers.c.node == node)).first()
        if known:
            self.connection.execute(sa.update(peers).where(peers.c.node == node).values(url=url))
        else:
            self.connection.execute(
                peers.insert(),
                {"node": node, "url": url, "added_at": now.astimezone(dt.UTC).isoformat()},
            )
        return known is not None

    def get(self, node: str) -> PeerAddress | None:
        row = self.connection.execute(sa.select(peers).where(peers.c.node == node)).first()
        return None if row is None else _address(row)

    def all(self) -> list[PeerAddress]:
        rows = self.connection.execute(sa.select(peers).order_by(peers.c.node))
        return [_address(r) for r in rows]

    def contacted(self, node: str, how: Literal["reached", "heard"], now: dt.datetime) -> None:
        """Record a contact with ``node``: written only if the last one recorded is older than
        :data:`CONTACT_RESOLUTION` (an update that matches no row writes nothing)."""
        column = peers.c.reached_at if how == "reached" else peers.c.heard_at
        stale = (now - CONTACT_RESOLUTION).astimezone(dt.UTC).isoformat()
        self.connection.execute(
            sa.update(peers)
            .where(peers.c.node == node, sa.or_(column.is_(None), column < stale))
            .values({column.name: now.astimezone(dt.UTC).isoformat()})
        )

    def remove(self, node: str) -> bool:
        return bool(self.connection.execute(sa.delete(peers).where(peers.c.node == node)).rowcount)
