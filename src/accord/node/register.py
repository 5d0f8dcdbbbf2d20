"""The register service: initialising a node's data, reading the register, importing documents
and recording lifecycle events, each change in one transaction."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from accord.agreements.dates import FuzzyDate
from accord.agreements.document import Format, LineLocator, parse_document
from accord.agreements.evidence import Grade
from accord.agreements.lifecycle import StatusReport
from accord.agreements.merge import MergeSummary, merge
from accord.agreements.model import Event, Source, TermSpec
from accord.agreements.record import register_from_dict
from accord.agreements.register import Register
from accord.agreements.vocabulary import event_kind
from accord.clock import Clock
from accord.config import Settings
from accord.errors import InvalidInput, LifecycleError
from accord.store.database import Database

if TYPE_CHECKING:
    from accord.policy.engine import PolicyEngine
from accord.store.register_repository import RegisterRepository
from accord.store.tlog_repository import append_in
from accord.tlog.kinds import AgreementEventEntry


class RegisterService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._current: tuple[int, Register] | None = None

    # -- reading --

    def current(self) -> Register:
        """The register, loaded again only when its revision changed (otherwise one small
        query): what a serving node's pages read, so a page of a register of thousands of
        agreements does not load them all each time. A change committed by any process moves
        the revision."""
        with self.database.reading() as connection:
            repository = RegisterRepository(connection)
            revision = repository.revision()
            cached = self._current
            if cached is not None and cached[0] == revision:
                return cached[1]
            register = repository.load()
        self._current = (revision, register)
        return register

    def register(self) -> Register:
        with self.database.reading() as connection:
            return RegisterRepository(connection).load()

    def revision(self) -> int:
        with self.database.reading() as connection:
            return RegisterRepository(connection).revision()

    def read(self, reading: Grade) -> Register:
        """The register as ``reading`` sees it (the node's ``ACCORD_EVIDENCE``, or a query's
        ``--evidence``): what every status, decision and transfer check is answered from."""
        return self.register().under(reading)

    def engine(self, reading: Grade) -> PolicyEngine:
        """The policy engine over ``read(reading)``: the one way decisions are built."""
        return self.engine_and_revision(reading)[0]

    def engine_and_revision(self, reading: Grade) -> tuple[PolicyEngine, int]:
        """The engine, and the register's revision it was built from (read together)."""
        # Imported here: commands that only read the register do not load the labels' policies.
        from accord.policy.engine import PolicyEngine  # noqa: PLC0415

        with self.database.reading() as connection:
            repository = RegisterRepository(connection)
            register, revision = repository.load(), repository.revision()
        engine = PolicyEngine(
            register.under(reading), version=f"revision {revision}, evidence {reading.value}"
        )
        return engine, revision

    # -- changing --

    def import_document(
        self,
        raw: bytes,
        fmt: Format,
        *,
        limit: int,
        replace: bool = False,
        actor: str | None = None,
    ) -> MergeSummary:
        """Import a register document, all or nothing; errors name the field and line."""
        data, locator = parse_document(raw, fmt, limit=limit)
        incoming = _located(locator, data)
        return self.import_register(incoming, replace=replace, actor=actor)

    def import_register(
        self,
        incoming: Register,
        *,
        replace: bool = False,
        actor: str | None = None,
        keep_existing: bool = False,
    ) -> MergeSummary:
        """Merge ``incoming`` into the register, all or nothing. With ``actor`` (an operator's
        change, not the node's initial import) each agreement added or replaced is also
        recorded in the transparency log, in the same transaction."""
        with self.database.transaction() as connection:
            repository = RegisterRepository(connection)
            revision = repository.revision()
            current = repository.load()
            merged, summary = merge(current, incoming, replace=replace, keep_existing=keep_existing)
            if summary.changed:
                repository.save(merged, expected_revision=revision, current=current)
                if actor is not None:
                    now = self.clock.now()
                    # Summary lines are "<what> <name>"; the log records agreements.
                    changed = [
                        (event, line.removeprefix("agreement "))
                        for event, lines in (
                            ("imported", summary.added),
                            ("replaced", summary.replaced),
                        )
                        for line in lines
                        if line.startswith("agreement ")
                    ]
                    append_in(
                        connection,
                        [
                            AgreementEventEntry(
                                agreement=name,
                                event=event,
                                by=actor,
                                revision=revision + 1,
                                at=now,
                            ).entry()
                            for event, name in changed
                        ],
                    )
            return summary

    def record_event(
        self,
        agreement_id: str,
        event: Event,
        new_sources: tuple[Source, ...] = (),
        *,
        actor: str = "operator",
    ) -> StatusReport:
        """Append a lifecycle event (with any sources it brings) after checking that the
        lifecycle still holds, and record it in the transparency log in the same transaction;
        returns the agreement's status today."""
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
            append_in(
                connection,
                [
                    AgreementEventEntry(
                        agreement=agreement.id,
                        event=event.kind.value,
                        date=str(event.date),
                        by=actor,
                        revision=revision + 1,
                        at=self.clock.now(),
                    ).entry()
                ],
            )
        return updated.status(agreement_id, self.clock.today())


def event_from_fields(
    event_name: str,
    date: str,
    *,
    term: str | None = None,
    source: str | None = None,
    note: str = "",
) -> tuple[Event, tuple[Source, ...]]:
    """A lifecycle event as an operator gives it (CLI options or an API body), checked; the
    field named in an error is the one the operator gave."""
    kind = event_kind(event_name)
    try:
        window = FuzzyDate.parse(date)
    except InvalidInput as e:
        raise e.at(field_prefix="date") from None
    try:
        spec = TermSpec.parse(term) if term is not None else None
    except InvalidInput as e:
        raise e.at(field_prefix="term") from None
    new_sources: tuple[Source, ...] = ()
    if source is not None:
        source_id = "url-" + hashlib.sha256(source.encode()).hexdigest()[:16]
        try:
            new_sources = (Source(id=source_id, title=source[:300], url=source),)
        except InvalidInput as e:
            raise e.at(field_prefix="source") from None
    if len(note) > 2000:
        raise InvalidInput("a note is at most 2000 characters", field="note")
    event = Event(
        kind=kind, date=window, term=spec, note=note, sources=tuple(s.id for s in new_sources)
    )
    return event, new_sources


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
    database.ensure_schema()
    return database


def _located(locator: LineLocator, data: object) -> Register:
    try:
        return register_from_dict(data)
    except InvalidInput as e:
        raise e.at(line=locator.line_of(e.field)) from None
