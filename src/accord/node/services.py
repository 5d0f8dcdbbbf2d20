"""The node's services wired together, once: what ``accord serve``, the CLI and the API run on.

Everything is built on first use. The policy engine is built from the register and rebuilt
when the register's revision changes (``follow_register``, which every serving process runs
every 0.5 s), so every decision uses the register as stored and records its revision.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from typing import TYPE_CHECKING

from accord.clock import Clock
from accord.config import Settings
from accord.node.register import RegisterService, open_database
from accord.store.database import Database
from accord.store.group_commit import GroupCommitter

if TYPE_CHECKING:
    import httpx

    from accord.crypto.descriptor import NodeDescriptor
    from accord.crypto.keys import NodeKeys
    from accord.node.console_sessions import ConsoleSessions
    from accord.node.delivery import DeliveryWorker
    from accord.node.federation_server import RequestGate, TransactionService
    from accord.node.inbox import InboxService
    from accord.node.keys import OwnKeys, PinnedPartners
    from accord.node.log import LogService
    from accord.node.messaging import MessagingService
    from accord.node.peers import PeerService
    from accord.node.sealing import SealingService
    from accord.node.transfers import TransferService
    from accord.node.users import UserService
    from accord.node.watcher import LifecycleWatcher
    from accord.node.witnessing import WitnessClient
    from accord.policy.engine import PolicyEngine

log = logging.getLogger("accord.register")


class NodeServices:
    """The node's one composition root: the CLI, the API and the workers get every service from
    here. Each part is built on first use, so that a command that only reads the register opens
    the database and nothing else (no keys, no engine, no threads)."""

    def __init__(self, settings: Settings, clock: Clock, database: Database) -> None:
        self.settings = settings
        self.clock = clock
        self.database = database
        self.register = RegisterService(database, clock)
        # The group committer starts its writer thread on the first write, not here; built now
        # so that concurrent first uses share one.
        self.committer = GroupCommitter(database)
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._engine: PolicyEngine | None = None
        self._revision = -1

    @classmethod
    def open(cls, settings: Settings, clock: Clock) -> NodeServices:
        """The services over the node's database (refused with what to do if it was never
        initialised)."""
        return cls(settings, clock, open_database(settings))

    @property
    def keys(self) -> NodeKeys:
        """The node's key set as stored now (a rotation reaches the next use)."""
        return self.own_keys.current()

    def change_keys(self, change: str, *, by: str, key_id: str | None = None) -> NodeKeys:
        """Rotate the node's keys (or revoke or retire one) and record each key whose status
        changed in the transparency log (``key-event``: the key's id, its new status, who)."""
        from accord.crypto.timestamps import format_time
        from accord.node.keys import change_key_set
        from accord.tlog.entries import EntryKind, LogEntry

        before = {k.id: k.status for k in self.keys.keys}
        now = self.clock.now()
        updated = change_key_set(self.settings, change, now, key_id)
        self.log.append(
            [
                LogEntry(
                    EntryKind.KEY_EVENT,
                    {"key": k.id, "event": k.status.value, "by": by, "at": format_time(now)},
                )
                for k in updated.keys
                if before.get(k.id) is not k.status
            ]
        )
        return updated

    @functools.cached_property
    def own_keys(self) -> OwnKeys:
        from accord.node.keys import OwnKeys

        return OwnKeys(self.settings)

    @functools.cached_property
    def partners(self) -> PinnedPartners:
        """The pinned partners' descriptors (read again when the pinned directory changes)."""
        from accord.node.keys import PinnedPartners

        return PinnedPartners(self.settings)

    @functools.cached_property
    def users(self) -> UserService:
        from accord.labels.national import national_policy
        from accord.node.users import UserService

        return UserService(
            self.database, self.clock, national_policy(self.keys.nation), self.keys.nation
        )

    @functools.cached_property
    def console(self) -> ConsoleSessions:
        """The console's sign-in and sessions."""
        from accord.node.console_sessions import ConsoleSessions

        return ConsoleSessions(self.database, self.clock)

    @functools.cached_property
    def log(self) -> LogService:
        from accord.node.log import LogService

        return LogService(self.database, self.settings, self.clock)

    @property
    def engine(self) -> PolicyEngine:
        """The policy engine over the register as this node reads it (``ACCORD_EVIDENCE``),
        rebuilt when the register changes (:meth:`follow_register`)."""
        engine = self._engine
        if engine is None:
            self.refresh()
            engine = self._engine
            assert engine is not None
        return engine

    def refresh(self) -> None:
        """Rebuild the engine from the stored register (after a change)."""
        with self._lock:
            self._engine, self._revision = self.register.engine_and_revision(self.settings.evidence)

    def follow_register(self) -> bool:
        """Rebuild the engine if the stored register changed since it was built (by the CLI,
        the API, or another worker process): every later decision uses the new register, and
        every held message is decided again at once. One small query when nothing changed."""
        if self._engine is None or self.register.revision() == self._revision:
            return False  # not built yet (it will be from the current register) or current
        self.refresh()
        held = self.messaging().decide_held_again()
        log.info(
            "the register changed (revision %d): decisions follow it; %d held message(s) are "
            "decided again",
            self._revision,
            held,
            extra={"fields": {"revision": self._revision, "held": held}},
        )
        return True

    def messaging(self) -> MessagingService:
        from accord.node.messaging import MessagingService

        return MessagingService(
            self.database,
            self.clock,
            keys=self.keys,
            engine=self.engine,
            users=self.users,
            partners=self.partners.current(),
            committer=self.committer,
        )

    def sealing(self) -> SealingService:
        from accord.node.sealing import SealingService

        return SealingService(
            self.clock, keys=self.keys, engine=self.engine, committer=self.committer
        )

    def inbox(self) -> InboxService:
        from accord.node.inbox import InboxService

        return InboxService(
            self.database,
            self.clock,
            keys=self.keys,
            engine=self.engine,
            partners=self.partners.current(),
            committer=self.committer,
        )

    def transfers(self) -> TransferService:
        from accord.node.transfers import TransferService

        return TransferService(self.database)

    def watcher(self) -> LifecycleWatcher:
        from accord.node.watcher import LifecycleWatcher

        return LifecycleWatcher(self.database, self.clock)

    def peers(self) -> PeerService:
        from accord.node.peers import PeerService

        return PeerService(self.database, self.settings, self.clock)

    def federated_partners(self) -> dict[str, NodeDescriptor]:
        """Pinned partners that are also peers: the nodes this one federates with."""
        urls = self.peers().urls()
        return {node: d for node, d in self.partners.current().items() if node in urls}

    def gate(self) -> RequestGate:
        from accord.node.federation_server import RequestGate

        return RequestGate(
            self.database, self.clock, receiver=self.keys.node, peers=self.federated_partners()
        )

    def witnesses(self) -> WitnessClient:
        from accord.node.witnessing import WitnessClient

        return WitnessClient(
            self.database,
            self.clock,
            keys=self.keys,
            logs=self.log,
            partners=self.federated_partners(),
            urls=self.peers().urls(),
            client=self.http_client(),
        )

    def http_client(self) -> httpx.Client:
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=15.0)
        return self._client

    def transactions(self) -> TransactionService:
        from accord.node.federation_server import TransactionService

        return TransactionService(
            self.database,
            self.clock,
            keys=self.keys,
            inbox_service=self.inbox(),
            peers=self.federated_partners(),
            committer=self.committer,
        )

    def delivery(self) -> DeliveryWorker:
        from accord.node.delivery import DeliveryWorker

        return DeliveryWorker(
            self.database,
            self.clock,
            keys=self.keys,
            engine=self.engine,
            partners=self.federated_partners(),
            urls=self.peers().urls(),
            committer=self.committer,
            client=self.http_client(),
            lease=dt.timedelta(seconds=self.settings.delivery_lease_seconds),
        )

    def close(self) -> None:
        self.committer.close()
        if self._client is not None:
            self._client.close()
        self.database.dispose()
