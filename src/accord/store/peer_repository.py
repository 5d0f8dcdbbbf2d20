"""The peers' repository: each partner node's URL and when it was added (its descriptor is pinned
in the node's key files, not here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.store.tables import peers


@dataclass(frozen=True, slots=True)
class PeerAddress:
    node: str
    url: str
    added_at: str


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
        if row is None:
            return None
        return PeerAddress(node=str(row.node), url=str(row.url), added_at=str(row.added_at))

    def all(self) -> list[PeerAddress]:
        rows = self.connection.execute(sa.select(peers).order_by(peers.c.node))
        return [
            PeerAddress(node=str(r.node), url=str(r.url), added_at=str(r.added_at)) for r in rows
        ]

    def remove(self, node: str) -> bool:
        return bool(self.connection.execute(sa.delete(peers).where(peers.c.node == node)).rowcount)
