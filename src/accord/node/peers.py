"""Peers: the partner nodes this node federates with, each pinned by its signed descriptor (an
update must be signed by a key already pinned) and reached at a URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from accord.clock import Clock
from accord.config import Settings
from accord.crypto.descriptor import NodeDescriptor, parse_descriptor
from accord.errors import InvalidInput, NotFound
from accord.node import keys as key_files
from accord.store.database import Database
from accord.store.peer_repository import PeerRepository

MAX_URL = 2048


@dataclass(frozen=True, slots=True)
class Peer:
    node: str
    nation: str
    url: str
    added_at: str
    descriptor: NodeDescriptor
    #: Last contact: when it last answered a delivery, and last sent a request that passed the
    #: gate (to the minute; None: never).
    reached_at: str | None = None
    heard_at: str | None = None

    @property
    def last_contact(self) -> str | None:
        return max((t for t in (self.reached_at, self.heard_at) if t), default=None)

    def to_dict(self) -> dict[str, object]:
        return {
            "node": self.node,
            "nation": self.nation,
            "url": self.url,
            "added_at": self.added_at,
            "reached_at": self.reached_at,
            "heard_at": self.heard_at,
            "keys": [
                {"id": k.id, "algorithm": k.algorithm, "status": k.status.value}
                for k in self.descriptor.keys
            ],
        }


def check_url(url: str) -> str:
    if len(url) > MAX_URL:
        raise InvalidInput(f"a peer URL is at most {MAX_URL} characters", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("a peer URL is http(s)://host[:port][/prefix]", field="url")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput("a peer URL has no query, fragment or credentials", field="url")
    return url.rstrip("/")


class PeerService:
    def __init__(self, database: Database, settings: Settings, clock: Clock) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock

    def add(self, descriptor: bytes, url: str) -> tuple[Peer, bool]:
        """Pin the descriptor (or update it, signed by a pinned key) and record the URL.
        Returns the peer and whether it was already known."""
        address = check_url(url)
        pinned, replaced = key_files.pin(self.settings, descriptor)
        with self.database.transaction() as connection:
            known = PeerRepository(connection).save(pinned.node, address, self.clock.now())
        return self.get(pinned.node), known or replaced

    def get(self, node: str) -> Peer:
        with self.database.reading() as connection:
            found = PeerRepository(connection).get(node)
        if found is None:
            raise NotFound(f"no peer {node[:256]!r}")
        descriptor = key_files.pinned(self.settings, found.node)
        return Peer(
            node=descriptor.node,
            nation=descriptor.nation,
            url=found.url,
            added_at=found.added_at,
            descriptor=descriptor,
            reached_at=found.reached_at,
            heard_at=found.heard_at,
        )

    def update_keys(self, node: str, descriptor: bytes) -> Peer:
        """Pin ``node``'s new descriptor after its key rotation: it must be that peer's, and
        signed by a key its pinned descriptor holds (``crypto.descriptor``)."""
        known = self.get(node)
        if parse_descriptor(descriptor).node != known.node:
            raise InvalidInput(f"that descriptor is not {known.node}'s", field="descriptor")
        key_files.pin(self.settings, descriptor)
        return self.get(node)

    def list(self) -> list[Peer]:
        with self.database.reading() as connection:
            names = [p.node for p in PeerRepository(connection).all()]
        return [self.get(name) for name in names]

    def urls(self) -> dict[str, str]:
        with self.database.reading() as connection:
            return {p.node: p.url for p in PeerRepository(connection).all()}

    def remove(self, node: str) -> None:
        with self.database.transaction() as connection:
            gone = PeerRepository(connection).remove(node)
        if not gone:
            raise NotFound(f"no peer {node[:256]!r}")
        key_files.unpin(self.settings, node)
