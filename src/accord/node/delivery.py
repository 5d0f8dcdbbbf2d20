"""The delivery worker: sends the outbox to peers, one transaction of up to 64 envelopes per peer
at a time, and records each signed receipt.

Exactly-once effect: a message is sent in a transaction whose id is stored with it before the
request leaves, and re-sent in that same transaction until a receipt comes back; the receiver is
idempotent by transaction and by envelope id, so a crash or a lost answer never makes a duplicate.

Each pass claims the messages that are due (``next_attempt_at`` passed) by pushing their next
attempt a lease ahead, in one transaction (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so several
workers share the outbox without sending a message twice at once). Before sending, every message
is decided again on today's register: one whose agreement lapsed since its release is *held*, with
the reason, and decided again on every pass, so it leaves once the agreement is renewed. A failed
send backs off exponentially with jitter (``federation.protocol.retry_delay``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from accord.clock import Clock
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.keys import NodeKeys
from accord.errors import VerificationFailed
from accord.federation.outbox import OutboxEvent, OutboxState
from accord.federation.protocol import (
    encode_transaction,
    retry_delay,
    sign_request,
)
from accord.federation.receipts import Receipt, verify_receipt
from accord.labels.json_form import label_from_dict
from accord.node.decisions import decide_release
from accord.node.federation_server import denial_reason
from accord.node.outbox_log import log_changes
from accord.policy.engine import PolicyEngine
from accord.store.database import Database
from accord.store.group_commit import GroupCommitter
from accord.store.outbox_repository import Change, OutboxRepository, QueuedMessage
from accord.tlog.kinds import ReceiptEntry

log = logging.getLogger(__name__)

#: A claim's lease (``Settings.delivery_lease_seconds``).
LEASE = dt.timedelta(seconds=60)
BATCH = 64
#: Transactions sent at once by one pass.
IN_FLIGHT = 4
CLAIM = 512
#: A connection and an answer each get this long (seconds).
TIMEOUT = 15.0


def send_signed(
    client: httpx.Client,
    keys: NodeKeys,
    node: str,
    method: str,
    url: str,
    path: str,
    body: bytes,
    now: dt.datetime,
) -> httpx.Response:
    """One federation request to ``node``, signed by this node with a fresh nonce."""
    headers = sign_request(
        keys,
        destination=node,
        method=method,
        path=path,
        body=body,
        now=now,
        nonce=secrets.token_hex(16),
    )
    headers["Content-Type"] = "application/json"
    return client.request(method, url + path, content=body, headers=headers)


@dataclass
class PassReport:
    delivered: int = 0
    refused: int = 0
    held: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: PassReport) -> None:
        self.delivered += other.delivered
        self.refused += other.refused
        self.held += other.held
        self.failed += other.failed
        self.errors += other.errors


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        keys: NodeKeys,
        engine: PolicyEngine,
        partners: dict[str, NodeDescriptor],
        urls: dict[str, str],
        committer: GroupCommitter,
        client: httpx.Client | None = None,
        jitter: Callable[[], float] = lambda: secrets.randbelow(1 << 20) / (1 << 20),
        lease: dt.timedelta = LEASE,
    ) -> None:
        self.lease = lease
        self.database = database
        self.clock = clock
        self.keys = keys
        self.engine = engine
        self.partners = partners
        self.urls = urls
        self.committer = committer
        self.client = client or httpx.Client(timeout=TIMEOUT)
        self.jitter = jitter

    # -- one pass ---------------------------------------------------------------------------

    def run_once(self) -> PassReport:
        report = PassReport()
        due = self._claim()
        sendable: dict[str, list[QueuedMessage]] = {}
        for message in due:
            reason = self._decide_again(message)
            if reason is not None:
                self._hold(message, reason)
                report.held += 1
                continue
            sendable.setdefault(message.recipient_node, []).append(message)
        batches = [
            (node, messages[start : start + BATCH])
            for node, messages in sendable.items()
            for start in range(0, len(messages), BATCH)
        ]
        if len(batches) <= 1:
            for node, batch in batches:
                self._send(node, batch, report)
            return report

        # Several transactions in flight at once, so that the receiver verifies one batch while
        # this node verifies and records the receipts of another (each is idempotent and
        # settled on its own, and counted in a report of its own).
        def send(node: str, batch: list[QueuedMessage]) -> PassReport:
            own = PassReport()
            self._send(node, batch, own)
            return own

        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            for sent in [pool.submit(send, node, batch) for node, batch in batches]:
                report.add(sent.result())
        return report

    def _claim(self) -> list[QueuedMessage]:
        if not self.urls:
            return []
        now = self.clock.now()
        # Most passes find nothing due: a read snapshot says so without taking the write lock
        # (SQLite) that the claim below needs, and that the node's writer would wait for.
        with self.database.reading() as connection:
            if not OutboxRepository(connection).any_due(self.urls, now):
                return []
        with self.database.transaction() as connection:
            claimed = OutboxRepository(connection).claim(
                self.urls,
                now,
                lease_until=now + self.lease,
                limit=CLAIM,
                # PostgreSQL: several workers share the outbox without claiming a message twice.
                skip_locked=self.database.dialect == "postgresql",
            )
        for message in claimed:
            log.debug("message %s: %s -> sending (claimed)", message.id, message.state)
        return claimed

    def _decide_again(self, message: QueuedMessage) -> str | None:
        """None if the release is still permitted today; else why it is held."""
        decision = decide_release(
            self.engine,
            sender=self.keys.nation,
            recipient=message.recipient_nation,
            label=label_from_dict(message.label),
            capability=message.capability,
            activity=message.activity,
            day=self.clock.today(),
        )
        return None if decision.permit else denial_reason(decision.to_dict())

    def _hold(self, message: QueuedMessage, reason: str) -> None:
        now = self.clock.now()
        change = Change(
            message.id,
            OutboxEvent.HELD,
            reason=reason,
            next_attempt_at=now + dt.timedelta(seconds=retry_delay(6, 0.0)),
        )

        entries = []
        if message.state is not OutboxState.HELD:
            # The log records the hold once, not every pass that re-decides it.
            entries.append(
                ReceiptEntry(
                    envelope=message.id, status="held", by=self.keys.node, reason=reason, at=now
                ).entry()
            )
        self.committer.write(entries, OutboxRepository.changing([change], now))
        log_changes([change], OutboxState.SENDING)

    def _send(self, node: str, messages: list[QueuedMessage], report: PassReport) -> None:
        peer = self.partners.get(node)
        url = self.urls.get(node)
        if peer is None or url is None:
            self._failed(messages, f"{node} is not a peer of this node (accord peers add)")
            report.failed += len(messages)
            return
        txn = self._transaction_for(messages)
        body = encode_transaction(txn, [(m.id, m.envelope) for m in messages])
        path = f"/federation/v1/transactions/{txn}"
        try:
            response = send_signed(
                self.client, self.keys, node, "PUT", url, path, body, self.clock.now()
            )
        except httpx.HTTPError as error:
            self._failed(messages, f"{node} unreachable: {type(error).__name__}")
            report.failed += len(messages)
            return
        if response.status_code != 200:
            self._failed(messages, f"{node} answered {response.status_code}: {response.text[:200]}")
            report.failed += len(messages)
            report.errors.append(response.text[:200])
            return
        try:
            receipts = response.json()["receipts"]
        except (ValueError, KeyError, TypeError):
            receipts = None
        if not isinstance(receipts, list) or len(receipts) != len(messages):
            self._failed(messages, f"{node} answered without a receipt per envelope")
            report.failed += len(messages)
            return
        settled = []
        for message, answered in zip(messages, receipts, strict=True):
            try:
                receipt = verify_receipt(
                    answered, receiver=peer, envelope_id=message.id, envelope=message.envelope
                )
            except VerificationFailed as error:
                self._failed([message], str(error))
                report.failed += 1
                continue
            settled.append((message, receipt))
            if receipt.accepted:
                report.delivered += 1
            else:
                report.refused += 1
        self._settle(node, settled)

    def _transaction_for(self, messages: list[QueuedMessage]) -> str:
        """The batch's transaction id, stored with its messages before the request leaves; a
        batch of messages all last sent in the same transaction is sent in it again."""
        known = {m.txn_id for m in messages}
        if len(known) == 1 and None not in known:
            return str(known.pop())
        txn = uuid.uuid4().hex
        with self.database.transaction() as connection:
            OutboxRepository(connection).assign_transaction([m.id for m in messages], txn)
        return txn

    def _settle(self, node: str, settled: list[tuple[QueuedMessage, Receipt]]) -> None:
        """Record a batch's verified receipts and their log entries in one transaction, and
        that the peer answered (its last contact)."""
        if not settled:
            return
        now = self.clock.now()
        changes = [
            Change(
                message.id,
                OutboxEvent.ACCEPTED if receipt.accepted else OutboxEvent.REFUSED,
                reason=receipt.reason or None,
                receipt=receipt.to_dict(),
            )
            for message, receipt in settled
        ]

        with self.committer.batched():  # committed by this thread, at the block's end
            recording = self.committer.submit(
                [
                    ReceiptEntry(
                        envelope=message.id,
                        status=receipt.status.value,
                        by=receipt.receiver,
                        reason=receipt.reason,
                        receiver_log_index=receipt.log_index,
                        at=now,
                    ).entry()
                    for message, receipt in settled
                ],
                OutboxRepository.changing(changes, now, reached=node),
            )
        recording.result()
        log_changes(changes, OutboxState.SENDING)

    def _failed(self, messages: list[QueuedMessage], reason: str) -> None:
        now = self.clock.now()
        changes = [
            Change(
                message.id,
                OutboxEvent.SEND_FAILED,
                reason=reason,
                attempts=message.attempts + 1,
                next_attempt_at=now
                + dt.timedelta(seconds=retry_delay(message.attempts, self.jitter())),
            )
            for message in messages
        ]
        with self.database.transaction() as connection:
            OutboxRepository(connection).change(changes, now)
        log_changes(changes, OutboxState.SENDING)
