"""The store against real SQLite and PostgreSQL."""

import datetime as dt
from dataclasses import replace

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from accord.agreements.dates import FuzzyDate
from accord.agreements.model import Event, TermSpec
from accord.agreements.public_record import public_record
from accord.agreements.vocabulary import EventKind, Status
from accord.clock import FixedClock
from accord.errors import Conflict, InvalidInput, LifecycleError, NotFound
from accord.node.register import RegisterService
from accord.store.database import SCHEMA_REVISION, Database
from accord.store.register_repository import RegisterRepository
from accord.store.tables import metadata


@pytest.fixture
def service(database):
    return RegisterService(database, FixedClock(dt.date(2026, 11, 22)))


def test_migrations_produce_exactly_the_declared_schema(database):
    with database.transaction() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
    assert database.current_revision() == database.head_revision()
    # Nodes open a database at this revision without running alembic: it must be the head.
    assert database.head_revision() == SCHEMA_REVISION


def test_an_older_schema_is_migrated_when_opened(database):
    with database.transaction() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0008'"))
        connection.execute(sa.text("DELETE FROM outbox"))
        for table in ("transfer_cases", "transfer_categories", "transfer_sources"):
            connection.execute(sa.text(f"DROP TABLE {table}"))
        # What 0012 added (a message's life, a peer's last contact).
        connection.execute(sa.text("DROP TABLE outbox_history"))
        for column in ("reached_at", "heard_at"):
            connection.execute(sa.text(f"ALTER TABLE peers DROP COLUMN {column}"))
        # What 0011 added (the console's).
        for table in ("console_sessions", "signin_failures"):
            connection.execute(sa.text(f"DROP TABLE {table}"))
        connection.execute(sa.text("ALTER TABLE users DROP COLUMN password_hash"))
        for index in ("ix_outbox_created_at_id", "ix_outbox_status_created_at",
                      "ix_outbox_status_updated_at", "ix_inbox_received_at_id"):  # fmt: skip
            connection.execute(sa.text(f"DROP INDEX {index}"))
    database.ensure_schema()
    assert database.current_revision() == SCHEMA_REVISION
    with database.reading() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM transfer_cases")).scalar() == 0


def test_migrate_twice_changes_nothing(database):
    before, after = database.migrate()
    assert before == after == database.head_revision()


def test_empty_store_loads_an_empty_register(service):
    register = service.register()
    assert register.agreements == ()
    assert service.revision() == 0


def test_public_record_round_trips_through_the_store(service):
    summary = service.import_register(public_record())
    assert summary.changed
    assert service.register() == public_record()
    assert service.revision() == 1


def test_importing_the_same_register_again_changes_nothing(service):
    service.import_register(public_record())
    summary = service.import_register(public_record())
    assert not summary.changed
    assert service.revision() == 1


def test_conflicting_import_is_refused_and_changes_nothing(service):
    service.import_register(public_record())
    changed = replace(public_record().get("pak-usa-cismoa"), title="Something else")
    incoming = public_record().with_agreement(changed)
    with pytest.raises(Conflict, match="pak-usa-cismoa"):
        service.import_register(incoming)
    assert service.register() == public_record()
    service.import_register(incoming, replace=True)
    assert service.register().get("pak-usa-cismoa").title == "Something else"


def test_record_event_appends_and_changes_status(service):
    service.import_register(public_record())
    report = service.record_event(
        "ind-usa-comcasa",
        Event(kind=EventKind.SUSPENDED, date=FuzzyDate.parse("2026-01-15"), note="test"),
    )
    assert report.status is Status.SUSPENDED
    stored = service.register().get("ind-usa-comcasa")
    assert stored.events[-1].note == "test"
    assert service.revision() == 2


def test_impossible_event_is_refused_and_changes_nothing(service):
    service.import_register(public_record())
    with pytest.raises(LifecycleError, match="not suspended"):
        service.record_event(
            "ind-usa-comcasa", Event(kind=EventKind.RESUMED, date=FuzzyDate.parse("2026-01-15"))
        )
    with pytest.raises(NotFound):
        service.record_event(
            "nope", Event(kind=EventKind.RESUMED, date=FuzzyDate.parse("2026-01-15"))
        )
    assert service.register() == public_record()
    assert service.revision() == 1


def test_stale_revision_is_a_conflict(database, service):
    service.import_register(public_record())
    with database.transaction() as connection:
        repository = RegisterRepository(connection)
        register = repository.load()
        renewed = register.get("ind-usa-comcasa").with_event(
            Event(
                kind=EventKind.RENEWED,
                date=FuzzyDate.parse("2028-09-06"),
                term=TermSpec.parse("10y"),
            )
        )
        with pytest.raises(Conflict, match="changed"):
            repository.save(register.with_agreement(renewed), expected_revision=0)


def test_removed_and_replaced_rows(database, service):
    service.import_register(public_record())
    with database.transaction() as connection:
        repository = RegisterRepository(connection)
        register = repository.load()
        smaller = replace(register, agreements=register.agreements[1:])
        repository.save(smaller, expected_revision=1)
    assert service.register() == smaller


def test_unsupported_database_urls_are_refused():
    with pytest.raises(InvalidInput, match="SQLite or PostgreSQL"):
        Database("mysql://localhost/x")
    with pytest.raises(InvalidInput, match="not a database URL"):
        Database("::::")


def test_a_newer_public_record_keeps_what_the_node_holds_differently(service):
    """How ``accord init`` upgrades a node: what is new is added, an entry the node holds with
    other content (an earlier version's BECA dated to a 26/27 window) is kept and listed."""
    older = public_record().get("ind-usa-beca")
    window = replace(older.events[0], date=FuzzyDate.parse("2020-10-26/2020-10-27"))
    service.import_register(public_record().with_agreement(replace(older, events=(window,))))
    summary = service.import_register(public_record(), keep_existing=True)
    assert summary.kept == ["agreement ind-usa-beca"]
    assert not summary.changed
    assert service.register().get("ind-usa-beca").events == (window,)
    with pytest.raises(Conflict):
        service.import_register(public_record())
