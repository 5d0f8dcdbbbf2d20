"""Shared fixtures: databases (SQLite and PostgreSQL), data homes, the CLI."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from accord.store.database import Database

POSTGRESQL_URL = os.environ.get(
    "ACCORD_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: Set by `make test` and CI: an unreachable PostgreSQL fails the run instead of skipping.
REQUIRE_POSTGRESQL = os.environ.get("ACCORD_REQUIRE_POSTGRESQL") == "1"


@functools.cache
def _postgresql_reachable() -> bool:
    engine = sa.create_engine(POSTGRESQL_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not _postgresql_reachable():
        if REQUIRE_POSTGRESQL:
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRESQL_URL}")
        pytest.skip("PostgreSQL not reachable (set ACCORD_REQUIRE_POSTGRESQL=1 to fail)")
    schema = f"accord_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(POSTGRESQL_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRESQL_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accord.db'}"
    url: str = request.getfixturevalue("postgresql_url")
    return url


@pytest.fixture
def accord_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ACCORD_HOME", str(home))
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    return home


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    db = Database(database_url)
    db.migrate()
    yield db
    db.dispose()
