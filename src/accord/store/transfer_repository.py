"""Transfer cases in the store: each entry of a transfers document as one row of JSON, loaded
back through the document reader (so what is stored is validated the same way)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from accord.errors import StorageError
from accord.store import tables as t
from accord.transfers.document import (
    SCHEMA,
    TransferRecord,
    transfers_from_dict,
    transfers_to_dict,
)


class TransferRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load(self) -> TransferRecord:
        c = self.connection
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "sources": [
                r.document
                for r in c.execute(select(t.transfer_sources).order_by(t.transfer_sources.c.id))
            ],
            "categories": [
                r.document
                for r in c.execute(
                    select(t.transfer_categories).order_by(t.transfer_categories.c.name)
                )
            ],
            "cases": [
                r.document
                for r in c.execute(select(t.transfer_cases).order_by(t.transfer_cases.c.id))
            ],
        }
        try:
            return transfers_from_dict(document)
        except Exception as e:  # validated on the way in: this is corruption
            raise StorageError(f"the stored transfer cases do not load: {e}") from e

    def save(self, record: TransferRecord) -> None:
        """Replace what is stored with ``record`` (the caller merged it in this transaction)."""
        c = self.connection
        document = transfers_to_dict(record)
        for table in (t.transfer_cases, t.transfer_categories, t.transfer_sources):
            c.execute(delete(table))
        if document.get("sources"):
            c.execute(
                insert(t.transfer_sources),
                [{"id": s["id"], "document": s} for s in document["sources"]],
            )
        if document.get("categories"):
            c.execute(
                insert(t.transfer_categories),
                [{"name": k["name"], "document": k} for k in document["categories"]],
            )
        if document.get("cases"):
            c.execute(
                insert(t.transfer_cases),
                [
                    {
                        "id": case["id"],
                        "buyer": case["buyer"],
                        "seller": case["seller"],
                        "kind": case["kind"],
                        "document": case,
                    }
                    for case in document["cases"]
                ],
            )
