"""Receipts (docs/federation.md, "Receipts"): the receiver's signed word about one envelope.

``{"v": 1, "envelope", "digest", "sender", "receiver", "status", "reason", "log_index", "at",
"signatures"}`` signed by the receiver under ``accord/federation-receipt/1``. ``status`` is
``accepted`` (in the receiver's inbox at ``log_index`` of its log) or ``rejected`` (``reason`` says
why: the envelope did not verify, the receiver's register does not permit it, ...).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.keys import NodeKeys
from accord.crypto.statements import sign_statement, verify_statement
from accord.crypto.timestamps import format_time, parse_time
from accord.errors import InvalidInput, VerificationFailed

VERSION = 1
RECEIPT_DOMAIN = b"accord/federation-receipt/1"
MAX_REASON = 1000
_FIELDS = {"v", "envelope", "digest", "sender", "receiver", "status", "reason", "log_index", "at"}


class ReceiptStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    envelope: str
    digest: str
    sender: str
    receiver: str
    status: ReceiptStatus
    reason: str
    log_index: int | None
    at: dt.datetime
    signatures: tuple[dict[str, str], ...]

    @property
    def accepted(self) -> bool:
        return self.status is ReceiptStatus.ACCEPTED

    def body(self) -> dict[str, Any]:
        """What the receiver signed."""
        return {
            "v": VERSION,
            "envelope": self.envelope,
            "digest": self.digest,
            "sender": self.sender,
            "receiver": self.receiver,
            "status": self.status.value,
            "reason": self.reason,
            "log_index": self.log_index,
            "at": format_time(self.at),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "signatures": [dict(s) for s in self.signatures]}

    @classmethod
    def from_dict(cls, value: object) -> Receipt:
        """A receipt's shape (not its signatures: :func:`verify_receipt`); InvalidInput if it is
        not one."""
        if not isinstance(value, dict) or set(value) != _FIELDS | {"signatures"}:
            raise InvalidInput("a receipt has exactly the fields of docs/federation.md")
        log_index = value["log_index"]
        signatures = value["signatures"]
        if (
            value["v"] != VERSION
            or not all(
                isinstance(value[k], str)
                for k in ("envelope", "digest", "sender", "receiver", "reason")
            )
            or value["status"] not in {s.value for s in ReceiptStatus}
            or not (log_index is None or (isinstance(log_index, int) and log_index >= 0))
            or isinstance(log_index, bool)
            or not isinstance(signatures, list)
            or not all(isinstance(s, dict) for s in signatures)
        ):
            raise InvalidInput("a malformed receipt")
        return cls(
            envelope=value["envelope"],
            digest=value["digest"],
            sender=value["sender"],
            receiver=value["receiver"],
            status=ReceiptStatus(value["status"]),
            reason=value["reason"],
            log_index=log_index,
            at=parse_time(value["at"], "a receipt's at"),
            signatures=tuple(signatures),
        )


def make_receipt(
    keys: NodeKeys,
    *,
    envelope_id: str,
    envelope: bytes,
    sender: str,
    accepted: bool,
    reason: str,
    log_index: int | None,
    now: dt.datetime,
) -> Receipt:
    unsigned = Receipt(
        envelope=envelope_id,
        digest=hashlib.sha256(envelope).hexdigest(),
        sender=sender,
        receiver=keys.node,
        status=ReceiptStatus.ACCEPTED if accepted else ReceiptStatus.REJECTED,
        reason=reason[:MAX_REASON],
        log_index=log_index,
        # The wire's precision: a receipt read back is equal to the one made.
        at=parse_time(format_time(now), "now"),
        signatures=(),
    )
    signatures = sign_statement(keys, RECEIPT_DOMAIN, unsigned.body())
    return replace(unsigned, signatures=tuple(signatures))


def verify_receipt(
    value: object, *, receiver: NodeDescriptor, envelope_id: str, envelope: bytes
) -> Receipt:
    """The receiver's signed word about exactly this envelope, or :class:`VerificationFailed`."""
    refused = VerificationFailed(f"{receiver.node}'s receipt does not verify")
    try:
        receipt = Receipt.from_dict(value)
    except InvalidInput:
        raise refused from None
    if (
        receipt.envelope != envelope_id
        or receipt.digest != hashlib.sha256(envelope).hexdigest()
        or receipt.receiver != receiver.node
    ):
        raise refused
    try:
        verify_statement(
            receiver,
            RECEIPT_DOMAIN,
            receipt.body(),
            receipt.signatures,
            at=receipt.at,
            what=f"{receiver.node}'s receipt",
        )
    except VerificationFailed:
        raise refused from None
    return receipt
