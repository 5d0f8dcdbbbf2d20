"""The federation's repository on the receiving side: the nonces of signed requests (each accepted
once) and the receipt this node gave for each envelope it was sent (a resend gets the same
answer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.federation.receipts import Receipt
from accord.store.tables import federation_nonces, inbox, receipts_issued


@dataclass(frozen=True, slots=True)
class KeptReceipt:
    digest: str
    receipt: Receipt


class FederationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- nonces -----------------------------------------------------------------------------

    def spend_nonce(self, origin: str, nonce: str, now: int, *, forget_before: int | None) -> None:
        """Record a request's nonce (a uniqueness violation if it was seen: a replay);
        ``forget_before``: first forget the nonces seen before this time."""
        if forget_before is not None:
            self.connection.execute(
                sa.delete(federation_nonces).where(federation_nonces.c.seen_at < forget_before)
            )
        self.connection.execute(
            federation_nonces.insert(), {"origin": origin, "nonce": nonce, "seen_at": now}
        )

    # -- receipts ---------------------------------------------------------------------------

    def kept_receipts(self, origin: str, envelope_ids: Iterable[str]) -> dict[str, KeptReceipt]:
        rows = self.connection.execute(
            sa.select(
                receipts_issued.c.envelope_id, receipts_issued.c.digest, receipts_issued.c.receipt
            ).where(
                receipts_issued.c.sender_node == origin,
                receipts_issued.c.envelope_id.in_(list(envelope_ids)),
            )
        )
        return {
            str(r.envelope_id): KeptReceipt(str(r.digest), Receipt.from_dict(r.receipt))
            for r in rows
        }

    def kept_receipt(self, origin: str, envelope_id: str) -> Receipt | None:
        found = self.connection.execute(
            sa.select(receipts_issued.c.receipt).where(
                receipts_issued.c.envelope_id == envelope_id,
                receipts_issued.c.sender_node == origin,
            )
        ).scalar_one_or_none()
        return None if found is None else Receipt.from_dict(found)

    @staticmethod
    def receipt_row(
        origin: str, envelope_id: str, receipt: Receipt
    ) -> tuple[sa.Table, dict[str, Any]]:
        """The kept receipt's row, for a group-commit insert beside the envelope's storing."""
        return receipts_issued, {
            "envelope_id": envelope_id,
            "sender_node": origin,
            "digest": receipt.digest,
            "receipt": receipt.to_dict(),
        }

    def keep_receipt(self, origin: str, envelope_id: str, receipt: Receipt) -> None:
        table, values = self.receipt_row(origin, envelope_id, receipt)
        self.connection.execute(table.insert(), values)

    def forget_receipt(self, origin: str, envelope_id: str) -> None:
        self.connection.execute(
            sa.delete(receipts_issued).where(
                receipts_issued.c.envelope_id == envelope_id,
                receipts_issued.c.sender_node == origin,
            )
        )

    def received(self, envelope_id: str) -> tuple[int, bytes] | None:
        """The log index and the envelope of a message in the inbox."""
        row = self.connection.execute(
            sa.select(inbox.c.log_index, inbox.c.envelope).where(inbox.c.id == envelope_id)
        ).first()
        return None if row is None else (int(row.log_index), bytes(row.envelope))
