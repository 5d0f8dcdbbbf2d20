"""``accord init``: the data directory, the database (migrated), the public record and the
public transfer cases, and the log's signing key. Running it again changes nothing already there
(a newer public record adds what is new and keeps what the node holds differently)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from accord.agreements.merge import MergeSummary
from accord.agreements.public_record import public_record
from accord.clock import Clock
from accord.config import Settings
from accord.crypto.descriptor import describe
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, StorageError
from accord.node import keys as key_files
from accord.node.keys import create_log_key
from accord.node.register import RegisterService
from accord.node.transfers import TransferService
from accord.store.database import Database
from accord.transfers.public_cases import public_cases


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
        # A newer version's public record adds what is new; what the node holds differently (an
        # operator's change, or an earlier version's record) is kept and reported.
        summary = RegisterService(database, clock).import_register(
            public_record(), keep_existing=True
        )
        TransferService(database).seed(public_cases())
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


def create_identity(settings: Settings, nation: str, name: str, clock: Clock) -> bool:
    """The node's key set and its signed descriptor (``descriptor.json``, for partners): created
    once (True); the same identity again changes nothing (False); another is refused."""
    path = key_files.key_set_path(settings)
    if path.exists():
        keys = key_files.load_key_set(settings)
        if (keys.nation, keys.node) != (nation, name):
            raise Conflict(
                f"this node is already {keys.node} ({keys.nation}); its identity does not change"
            )
        return False
    keys = NodeKeys.generate(name, nation, clock.now())
    key_files.save_key_set(settings, keys, new=True)
    (settings.home_path / "descriptor.json").write_bytes(describe(keys, clock.now()).encode())
    return True
