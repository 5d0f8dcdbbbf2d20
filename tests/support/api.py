"""A node prepared for API tests: USA, with the PAK node pinned, an officer, an auditor and an
operator with tokens; and the ``api`` fixture (the ASGI app on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.clock import Clock, FixedClock
from accord.config import Settings, load_settings
from accord.crypto.descriptor import describe
from accord.crypto.keys import NodeKeys
from accord.node import keys as key_files
from accord.node.initialise import initialise
from accord.node.services import NodeServices

CLOCK = FixedClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
RELEASE = {
    "recipient": "PAK",
    "label": {"banner": "UNCLASSIFIED"},
    "capability": "secure-communications",
    "activity": "joint-exercises",
    "text": "exercise starts at 0600",
}


def initialised(
    home: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None, clock: Clock = CLOCK
) -> Settings:
    """A node's home initialised (migrations run), its settings from the environment."""
    monkeypatch.setenv("ACCORD_HOME", str(home))
    if database_url:
        monkeypatch.setenv("ACCORD_DATABASE_URL", database_url)
    else:
        monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    settings = load_settings()
    initialise(settings, clock)
    return settings


def gsomia(first: str, second: str, signed: str) -> dict[str, object]:
    """A register document holding one open-ended GSOMIA between two nations."""
    parties = sorted((first, second))
    return {
        "schema": "accord.register/1",
        "agreements": [
            {
                "id": f"{parties[0].lower()}-{parties[1].lower()}-gsomia-test",
                "type": "GSOMIA",
                "parties": [first, second],
                "events": [{"kind": "signed", "date": signed, "term": "open-ended"}],
            }
        ],
    }


def prepare(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str | None = None,
    clock: Clock = CLOCK,
) -> dict[str, str]:
    settings = initialised(home, monkeypatch, database_url, clock)
    key_files.save_key_set(settings, NodeKeys.generate("usa.example", "USA", clock.now()), new=True)
    partner = NodeKeys.generate("pak.example", "PAK", clock.now())
    key_files.pin(settings, describe(partner, clock.now()).encode())
    node = NodeServices.open(settings, clock)
    try:
        node.users.add("alice", "officer", "SECRET", [])
        node.users.add("audrey", "auditor", None, [])
        node.users.add("olga", "operator", None, [])
        return {name: node.users.create_token(name).token for name in ("alice", "audrey", "olga")}
    finally:
        node.close()


@pytest.fixture
def api_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = prepare(tmp_path / "home", monkeypatch, database_url)
    with TestClient(create_app(load_settings(), CLOCK)) as client:
        yield client, tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
