"""The node's transfer cases: the public ones loaded at ``accord init``, and what operators import
(docs/transfers.md). Imports are all or nothing, as register imports are."""

from __future__ import annotations

from accord.agreements.document import Format, parse_document
from accord.agreements.merge import MergeSummary
from accord.errors import InvalidInput
from accord.store.database import Database
from accord.store.transfer_repository import TransferRepository
from accord.transfers.document import TransferRecord, merge_records, transfers_from_dict


class TransferService:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self) -> TransferRecord:
        with self.database.reading() as connection:
            return TransferRepository(connection).load()

    def import_document(
        self, raw: bytes, fmt: Format, *, limit: int, replace: bool = False
    ) -> MergeSummary:
        """Import a transfers document, all or nothing; errors name the field and line."""
        data, locator = parse_document(raw, fmt, limit=limit)
        try:
            incoming = transfers_from_dict(data)
        except InvalidInput as e:
            raise e.at(line=locator.line_of(e.field)) from None
        return self.import_record(incoming, replace=replace)

    def import_record(self, incoming: TransferRecord, *, replace: bool = False) -> MergeSummary:
        with self.database.transaction() as connection:
            repository = TransferRepository(connection)
            merged, summary = merge_records(repository.load(), incoming, replace=replace)
            if summary.changed:
                repository.save(merged)
            return summary

    def seed(self, public: TransferRecord) -> MergeSummary:
        """Add the public cases (and their sources) this node does not have yet; a case an
        operator changed is left as the operator made it."""
        with self.database.transaction() as connection:
            repository = TransferRepository(connection)
            current = repository.load()
            known_cases = {c.id for c in current.cases}
            known_sources = {s.id for s in current.sources}
            missing = TransferRecord(
                sources=tuple(s for s in public.sources if s.id not in known_sources),
                categories=public.categories,
                own_categories=(),
                cases=tuple(c for c in public.cases if c.id not in known_cases),
            )
            merged, summary = merge_records(current, missing)
            if summary.changed:
                repository.save(merged)
            return summary
