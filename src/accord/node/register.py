"""The register service: initialising a node's data, reading the register, importing documents
and recording lifecycle events, each change in one transaction."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from accord.agreements.document import Format, LineLocator, parse_document
from accord.agreements.lifecycle import StatusReport
from accord.agreements.merge import MergeSummary, merge
from accord.agreements.model import Event, Source
from accord.agreements.public_record import public_record
from accord.agreements.record import register_from_dict
from accord.agreements.register import Register
from accord.clock import Clock
from accord.config import Settings
from accord.errors import InvalidInput, LifecycleError, StorageError
from accord.node.keys import create_log_key
from accord.store.database import Database
from accord.store.register_repository import RegisterRepository


@dataclass(frozen=True, slots=True, kw_only=True)
class InitResult:
    home: Path
    database: str
    created: bool
    migrated_from: str | None
    migrated_to: str
    summary: MergeSummary

    @property
    def changed(self) -> bool:
        return self.created or self.migrated_from != self.migrated_to or self.summary.changed


class RegisterService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    # -- reading --

    def register(self) -> Register:
        with self.database.reading() as connection:
            return RegisterRepository(connection).load()

    def revision(self) -> int:
        with self.database.reading() as connection:
            return RegisterRepository(connection).revision()

    # -- changing --

    def import_document(
        self, raw: bytes, fmt: Format, *, limit: int, replace: bool = False
    ) -> MergeSummary:
        """Import a register document, all or nothing; errors name the field and line."""
        data, locator = parse_document(raw, fmt, limit=limit)
        incoming = _located(locator, data)
        return self.import_register(incoming, replace=replace)

    def import_register(self, incoming: Register, *, replace: bool = False) -> MergeSummary:
        with self.database.transaction() as connection:
            repository = RegisterRepository(connection)
            revision = repository.revision()
            current = repository.load()
            merged, summary = merge(current, incoming, replace=replace)
            if summary.changed:
                repository.save(merged, expected_revision=revision, current=current)
            return summary

    def record_event(
        self, agreement_id: str, event: Event, new_sources: tuple[Source, ...] = ()
    ) -> StatusReport:
        """Append a lifecycle event (with any sources it brings) after checking that the
        lifecycle still holds; returns the agreement's status today."""
        with self.database.transaction() as connection:
            repository = RegisterRepository(connection)
            revision = repository.revision()
            current = repository.load()
            agreement = current.get(agreement_id).with_event(event)
            known = {s.id for s in current.sources}
            try:
                updated = current.with_agreement(
                    agreement, sources=tuple(s for s in new_sources if s.id not in known)
                )
            except LifecycleError as e:
                raise LifecycleError(e.reason) from None  # the register's path is noise here
            repository.save(updated, expected_revision=revision, current=current)
        return updated.status(agreement_id, self.clock.today())


def initialise(settings: Settings, clock: Clock) -> InitResult:
    """Prepare the data directory and database and load the public record. Running it again
    changes nothing that is already there."""
    home = settings.home_path
    created = not home.exists()
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(f"cannot create the data directory {home}: {e.strerror}") from e
    if settings.uses_default_sqlite:
        database_file = home / "accord.db"
        created = created or not database_file.exists()
    database = Database(settings.effective_database_url)
    try:
        before, after = database.migrate()
        if settings.uses_default_sqlite:
            os.chmod(home / "accord.db", 0o600)
        summary = RegisterService(database, clock).import_register(public_record())
        create_log_key(settings)
    finally:
        database.dispose()
    return InitResult(
        home=home,
        database=database.display_url,
        created=created,
        migrated_from=before,
        migrated_to=after,
        summary=summary,
    )


def open_database(settings: Settings) -> Database:
    """The node's database, migrated to the newest schema; :class:`InvalidInput` if the node
    was never initialised."""
    if settings.uses_default_sqlite and not (settings.home_path / "accord.db").exists():
        raise InvalidInput(f"no Accord data in {settings.home_path}; run 'accord init' first")
    database = Database(settings.effective_database_url)
    if not database.is_initialised():
        database.dispose()
        raise InvalidInput(
            f"the database {database.display_url} holds no Accord data; run 'accord init' first"
        )
    database.migrate()
    return database


def _located(locator: LineLocator, data: object) -> Register:
    try:
        return register_from_dict(data)
    except InvalidInput as e:
        raise e.at(line=locator.line_of(e.field)) from None
