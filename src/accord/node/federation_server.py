"""Receiving a peer's transaction: authenticate the request, then for each envelope verify it,
decide again under this node's own register, store it in the inbox with its log entry, and answer
a signed receipt (accepted, or rejected with the reason).

Idempotent by transaction and by envelope: an envelope this node already answered for gets the
same receipt again (the receipt is kept); one received before a crash lost its receipt gets an
accepted receipt rebuilt from the inbox row. An envelope that does not verify is rejected with a
signed receipt saying so, and the refusal is logged here too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from accord.clock import Clock
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.envelope import EnvelopeError
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, InvalidInput, PeerRefused, ReleaseDenied, StorageError
from accord.federation.protocol import (
    VerifiedRequest,
    check_body,
    decode_transaction,
    verify_request_header,
)
from accord.federation.receipts import Receipt, ReceiptStatus, make_receipt
from accord.node.inbox import MAX_ENVELOPE, InboxService
from accord.policy.model import Decision
from accord.store.database import Database, is_duplicate
from accord.store.federation_repository import FederationRepository, KeptReceipt
from accord.store.group_commit import GroupCommitter, Insert
from accord.store.peer_repository import PeerRepository
from accord.tlog.kinds import EnvelopeReceivedEntry

DEFAULT_SKEW = dt.timedelta(minutes=5)

log = logging.getLogger("accord.federation")


class RequestGate:
    """Every federation request passes here first: its signature, origin, destination, time and
    body digest (``federation.protocol.verify_request``), then its nonce, accepted once."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        receiver: str,
        peers: dict[str, NodeDescriptor],
        max_skew: dt.timedelta = DEFAULT_SKEW,
    ) -> None:
        self.database = database
        self.clock = clock
        self.receiver = receiver
        self.peers = peers
        self.max_skew = max_skew

    def check_header(self, header: str | None, *, method: str, path: str) -> VerifiedRequest:
        """The request's header, before its body is read: signature, origin, destination, time,
        and its nonce, accepted once (a nonce is spent even if the body then fails its digest)."""
        now = self.clock.now()
        request = verify_request_header(
            header,
            receiver=self.receiver,
            method=method,
            path=path,
            peers=self.peers,
            now=now,
            max_skew=self.max_skew,
        )
        self._remember_nonce(request.origin.node, request.nonce, now)
        return request

    def check(self, header: str | None, *, method: str, path: str, body: bytes) -> VerifiedRequest:
        """``check_header``, then the body (already in memory) against the signed digest."""
        request = self.check_header(header, method=method, path=path)
        check_body(request, hashlib.sha256(body).hexdigest())
        return request

    def _remember_nonce(self, origin: str, nonce: str, at: dt.datetime) -> None:
        """A nonce is accepted once; those older than twice the skew are forgotten (a request
        that old is refused by its timestamp anyway). The peer's last contact is recorded in
        the same transaction."""
        now = int(at.timestamp())
        horizon = now - 2 * int(self.max_skew.total_seconds())
        try:
            with self.database.transaction() as connection:
                FederationRepository(connection).spend_nonce(
                    origin,
                    nonce,
                    now,
                    forget_before=horizon if secrets.randbelow(64) == 0 else None,
                )
                PeerRepository(connection).contacted(origin, "heard", at)
        except StorageError as e:
            if is_duplicate(e):
                raise PeerRefused("the request nonce was already used (a replay)") from None
            raise


class TransactionService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        keys: NodeKeys,
        inbox_service: InboxService,
        peers: dict[str, NodeDescriptor],
        committer: GroupCommitter,
        max_skew: dt.timedelta = DEFAULT_SKEW,
    ) -> None:
        self.database = database
        self.clock = clock
        self.keys = keys
        self.inbox = inbox_service
        self.peers = peers
        self.committer = committer
        self.max_skew = max_skew

    def receive(self, txn: str, *, request: VerifiedRequest, body: bytes) -> dict[str, Any]:
        """A transaction whose request passed the gate (``RequestGate.check``): one signed
        receipt per envelope, in order. A bad envelope gets its own rejected receipt; the rest
        of the batch is taken as if it were not there."""
        envelopes = decode_transaction(txn, body, max_envelope=MAX_ENVELOPE)
        kept = self._kept(request.origin, [i for i, _ in envelopes])
        # Every envelope is verified and decided here, one after the other, and its storing
        # queued; this thread then commits them together (``batched``: no handoff to the
        # writer thread) and the receipts are collected in order.
        with self.committer.batched():
            answers = [self._begin(request.origin, i, envelope, kept) for i, envelope in envelopes]
        receipts = [answer() for answer in answers]
        for receipt in receipts:
            # The receiving side's line per envelope (docs/node.md, "What accord serve prints").
            log.info(
                "envelope %s from %s: %s%s",
                receipt.envelope,
                request.origin.node,
                receipt.status.value,
                f": {receipt.reason}" if receipt.reason else "",
                extra={
                    "fields": {
                        "envelope": receipt.envelope,
                        "peer": request.origin.node,
                        "status": receipt.status.value,
                        "reason": receipt.reason or None,
                    }
                },
            )
        return {"txn": txn, "receipts": [r.to_dict() for r in receipts]}

    def _kept(self, origin: NodeDescriptor, ids: list[str]) -> dict[str, KeptReceipt]:
        """The receipts already given for these envelope ids, by id."""
        with self.database.reading() as connection:
            return FederationRepository(connection).kept_receipts(origin.node, ids)

    def _begin(
        self,
        origin: NodeDescriptor,
        claimed_id: str,
        envelope: bytes,
        kept: dict[str, KeptReceipt],
    ) -> Callable[[], Receipt]:
        """Start taking one envelope; returns what gives its receipt once its storing (queued
        for the group commit) has committed."""
        digest = hashlib.sha256(envelope).hexdigest()
        if claimed_id in kept:
            receipt = kept[claimed_id].receipt
            if kept[claimed_id].digest != digest:
                return lambda: self._other_content(origin, claimed_id, envelope)
            if not _refused_by_policy(receipt):
                return lambda: receipt
            # Refused under this node's register, which may have changed since (the sender
            # retried it): decided afresh, and the new answer kept in place of the old.
            self._forget_receipt(origin, claimed_id)
        issued: dict[str, Receipt] = {}
        try:

            def keep(decision: Decision, log_index: int) -> list[Insert]:
                accepted = decision.permit and decision.recipient_label is not None
                reason = "" if accepted else POLICY_REFUSAL + denial_reason(decision.to_dict())
                receipt = make_receipt(
                    self.keys,
                    envelope_id=claimed_id,
                    envelope=envelope,
                    sender=origin.node,
                    accepted=accepted,
                    reason=reason,
                    log_index=log_index if accepted else None,
                    now=self.clock.now(),
                )
                issued["receipt"] = receipt
                return [FederationRepository.receipt_row(origin.node, claimed_id, receipt)]

            storing = self.inbox.accept_submit(
                envelope, expected_id=claimed_id, expected_sender=origin.node, along=keep
            )
        except (EnvelopeError, InvalidInput) as error:
            reason = (
                "the envelope does not verify"
                if isinstance(error, EnvelopeError)
                else f"the envelope is refused: {error}"
            )
            self._log_refusal(origin, claimed_id, digest, reason)
            refused = self._receipt(origin, claimed_id, envelope, None, reason)
            return lambda: refused

        def answer() -> Receipt:
            try:
                storing.result()
            except ReleaseDenied:  # refused under this node's register: logged, receipt kept
                return issued["receipt"]
            except Conflict:
                return self._already_received(origin, claimed_id, envelope)
            return issued["receipt"]

        return answer

    def _forget_receipt(self, origin: NodeDescriptor, envelope_id: str) -> None:
        with self.database.transaction() as connection:
            FederationRepository(connection).forget_receipt(origin.node, envelope_id)

    def _already_received(
        self, origin: NodeDescriptor, claimed_id: str, envelope: bytes
    ) -> Receipt:
        with self.database.reading() as connection:
            found = FederationRepository(connection).received(claimed_id)
        if found is None or found[1] != envelope:
            return self._other_content(origin, claimed_id, envelope)
        return self._receipt(origin, claimed_id, envelope, found[0], "")

    def _other_content(self, origin: NodeDescriptor, claimed_id: str, envelope: bytes) -> Receipt:
        """A rejection that is not kept: the receipt kept for this id stays the answer."""
        reason = "this envelope id was already received with other content"
        return self._receipt(origin, claimed_id, envelope, None, reason, keep=False)

    def _receipt(
        self,
        origin: NodeDescriptor,
        envelope_id: str,
        envelope: bytes,
        log_index: int | None,
        reason: str,
        *,
        keep: bool = True,
    ) -> Receipt:
        receipt = make_receipt(
            self.keys,
            envelope_id=envelope_id,
            envelope=envelope,
            sender=origin.node,
            accepted=log_index is not None,
            reason=reason,
            log_index=log_index,
            now=self.clock.now(),
        )
        if keep:
            try:
                with self.database.transaction() as connection:
                    FederationRepository(connection).keep_receipt(origin.node, envelope_id, receipt)
            except StorageError as e:
                if not is_duplicate(e):
                    raise
                # Answered concurrently (a retried transaction): that answer stands.
                with self.database.reading() as connection:
                    stored = FederationRepository(connection).kept_receipt(origin.node, envelope_id)
                if stored is not None:
                    return stored
        return receipt

    def _log_refusal(
        self, origin: NodeDescriptor, envelope_id: str, digest: str, reason: str
    ) -> None:
        self.committer.write(
            [
                EnvelopeReceivedEntry(
                    envelope=envelope_id,
                    digest=digest,
                    sender=origin.node,
                    status="rejected",
                    reason=reason,
                    at=self.clock.now(),
                ).entry()
            ]
        )


#: The start of the reason of a receipt refused by the receiver's release decision (as opposed to
#: an envelope that does not verify, which no change of register makes acceptable).
POLICY_REFUSAL = "refused: "


def _refused_by_policy(receipt: Receipt) -> bool:
    return receipt.status is ReceiptStatus.REJECTED and receipt.reason.startswith(POLICY_REFUSAL)


def denial_reason(decision: dict[str, Any]) -> str:
    """The failed rules of a decision (its JSON form), in words."""
    reasons = decision.get("reasons") or []
    failed = [
        str(r.get("message"))
        for r in reasons
        if isinstance(r, dict) and r.get("outcome") == "failed"
    ]
    return "; ".join(failed) or "the policy denied it"
