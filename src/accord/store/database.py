"""The database: one engine, transactions, and migrations run in-process.

Every SQLAlchemy failure leaves this module as a :class:`StorageError` (its details go to the
debug log, not to the user: a URL may hold a password).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from accord.errors import InvalidInput, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest migration's revision (tests check it is alembic's head). A database already at it
#: is opened without loading alembic, which costs a command a tenth of a second.
SCHEMA_REVISION = "0012"

log = logging.getLogger(__name__)

#: Connections kept open per process, and how many more may open under a burst.
POOL_SIZE = 16
POOL_OVERFLOW = 16


class Database:
    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise InvalidInput("not a database URL", field="setting database_url") from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise InvalidInput(
                "Accord stores its data in SQLite or PostgreSQL", field="setting database_url"
            )
        self.url = parsed
        self.dialect = parsed.get_backend_name()
        try:
            # A pooled PostgreSQL connection is checked before use (the server may have restarted);
            # a SQLite file needs no such round trip on every transaction.
            self.engine: Engine = create_engine(
                parsed,
                pool_pre_ping=parsed.get_backend_name() != "sqlite",
                # Enough pooled connections for the API's worker threads: a request past the
                # pool would open (and on SQLite set up) a fresh connection, then close it.
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                future=True,
            )
        except (SQLAlchemyError, ImportError) as e:
            raise StorageError(f"cannot open the {self.dialect} database: {_brief(e)}") from e
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as e:
            log.debug("database error", exc_info=True)
            raise StorageError(f"the {self.dialect} database failed: {_brief(e)}") from e

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot, which on SQLite does not take the
        write lock (so readers never queue behind writers, nor writers behind them)."""
        try:
            with self.engine.connect() as connection:
                connection.execution_options(accord_reading=True)
                with connection.begin():
                    yield connection
        except SQLAlchemyError as e:
            log.debug("database error", exc_info=True)
            raise StorageError(f"the {self.dialect} database failed: {_brief(e)}") from e

    # -- migrations --

    def ensure_schema(self) -> None:
        """Migrate unless the schema is already at the newest revision."""
        with self.reading() as connection:
            current = connection.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalar_one_or_none()
        if current != SCHEMA_REVISION:
            self.migrate()

    def migrate(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision; returns (before, after)."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        with self.transaction() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            config = _alembic_config(connection)
            command.upgrade(config, "head")
            return before, _head(config)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.transaction() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def is_initialised(self) -> bool:
        with self.transaction() as connection:
            return inspect(connection).has_table("alembic_version")

    def head_revision(self) -> str:
        return _head(_alembic_config(None))

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(connection: Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("accord.store").joinpath("migrations")
    config.set_main_option("script_location", str(Path(str(location))))
    config.attributes["connection"] = connection
    return config


def _head(config: Config) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is turned off: transactions start with _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE): two writers
    that both read first would otherwise deadlock, and one fail at once with "database is
    locked". Read-only transactions (``Database.reading``) begin deferred: under WAL they read a
    snapshot and neither wait for writers nor hold them up."""
    if connection.get_execution_options().get("accord_reading"):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_duplicate(error: BaseException | None) -> bool:
    """Whether a storage error is a uniqueness violation (a row with that key exists)."""
    return isinstance(error, StorageError) and isinstance(error.__cause__, IntegrityError)


def _brief(error: BaseException) -> str:
    """The first line of the driver's message, without the SQL and parameters."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0][:200] if text else type(original).__name__


def rows_whose_id_starts(
    connection: Connection, columns: Sequence[Any], id_column: Any, prefix: str, limit: int
) -> list[Any]:
    """Rows of ``columns`` whose ``id_column`` starts with ``prefix`` (LIKE's wildcards in it
    escaped), by id: message ids as people type them (``accord.node.ids``)."""
    statement = (
        sa.select(*columns)
        .where(id_column.startswith(prefix, autoescape=True))
        .order_by(id_column)
        .limit(limit)
    )
    return list(connection.execute(statement))
