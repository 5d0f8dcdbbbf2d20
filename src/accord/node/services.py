"""The node's services wired together: what ``accord serve`` (and the CLI's node commands) run on.

The register, the policy engine and the partners are loaded when the services start; a change to
the register through ``record_event`` rebuilds the engine, so every later decision uses it and
records its version.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

import httpx

from accord.clock import Clock
from accord.config import Settings
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.keys import NodeKeys
from accord.labels.national import national_policy
from accord.node.delivery import DeliveryWorker
from accord.node.federation_server import RequestGate, TransactionService
from accord.node.inbox import InboxService
from accord.node.keys import PinnedPartners, load_key_set
from accord.node.log import LogService
from accord.node.messaging import MessagingService
from accord.node.peers import PeerService
from accord.node.register import RegisterService, open_database
from accord.node.transfers import TransferService
from accord.node.users import UserService
from accord.node.witnessing import WitnessClient
from accord.policy.engine import PolicyEngine
from accord.store.database import Database
from accord.store.group_commit import GroupCommitter

log = logging.getLogger("accord.register")


@dataclass
class NodeServices:
    settings: Settings
    clock: Clock
    database: Database
    keys: NodeKeys
    register: RegisterService
    users: UserService
    log: LogService
    committer: GroupCommitter
    partners: PinnedPartners
    _engine: PolicyEngine
    _revision: int
    _lock: threading.Lock
    _client: httpx.Client | None = None

    @classmethod
    def open(cls, settings: Settings, clock: Clock) -> NodeServices:
        keys = load_key_set(settings)
        database = open_database(settings)
        register = RegisterService(database, clock)
        engine, revision = register.engine_and_revision(settings.evidence)
        return cls(
            settings=settings,
            clock=clock,
            database=database,
            keys=keys,
            register=register,
            users=UserService(database, clock, national_policy(keys.nation), keys.nation),
            log=LogService(database, settings, clock),
            committer=GroupCommitter(database),
            partners=PinnedPartners(settings),
            _engine=engine,
            _revision=revision,
            _lock=threading.Lock(),
        )

    @property
    def engine(self) -> PolicyEngine:
        return self._engine

    def refresh(self) -> None:
        """Rebuild the engine from the stored register (after a change)."""
        with self._lock:
            self._engine, self._revision = self.register.engine_and_revision(self.settings.evidence)

    def follow_register(self) -> bool:
        """Rebuild the engine if the stored register changed since it was built (by the CLI,
        the API, or another worker process): every later decision uses the new register, and
        every held message is decided again at once. One small query when nothing changed."""
        if self.register.revision() == self._revision:
            return False
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
        return MessagingService(
            self.database,
            self.clock,
            keys=self.keys,
            engine=self.engine,
            users=self.users,
            partners=self.partners.current(),
            committer=self.committer,
        )

    def inbox(self) -> InboxService:
        return InboxService(
            self.database,
            self.clock,
            keys=self.keys,
            engine=self.engine,
            partners=self.partners.current(),
            committer=self.committer,
        )

    def transfers(self) -> TransferService:
        return TransferService(self.database)

    def peers(self) -> PeerService:
        return PeerService(self.database, self.settings, self.clock)

    def federated_partners(self) -> dict[str, NodeDescriptor]:
        """Pinned partners that are also peers: the nodes this one federates with."""
        urls = self.peers().urls()
        return {node: d for node, d in self.partners.current().items() if node in urls}

    def gate(self) -> RequestGate:
        return RequestGate(
            self.database, self.clock, receiver=self.keys.node, peers=self.federated_partners()
        )

    def witnesses(self) -> WitnessClient:
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
        if self._client is None:
            self._client = httpx.Client(timeout=15.0)
        return self._client

    def transactions(self) -> TransactionService:
        return TransactionService(
            self.database,
            self.clock,
            keys=self.keys,
            inbox_service=self.inbox(),
            peers=self.federated_partners(),
            committer=self.committer,
        )

    def delivery(self) -> DeliveryWorker:
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
