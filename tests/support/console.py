"""The console's test helpers: a node's console in process (its app, a clock the test
advances, its services), a user's sign-in through the form (its one-time token), the session's
CSRF token, and the release form's usual fields."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.clock import FixedClock
from accord.config import load_settings
from accord.node.services import NodeServices
from tests.support.api import prepare

PASSWORD = "correct horse battery staple"
RELEASE = {
    "recipient": "PAK",
    "capability": "secure-communications",
    "activity": "joint-exercises",
    "text": "exercise starts at 0600",
}


def hidden_field(page: str, name: str) -> str:
    """The value of the form field `name` on `page` (the sign-in token, the CSRF token)."""
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, page[:2000]
    return found[1]


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/login").text
    return client.post(
        "/login",
        data={"token": hidden_field(form, "token"), "username": name, "password": password},
        follow_redirects=False,
    )


def csrf(client: TestClient) -> str:
    return hidden_field(client.get("/").text, "csrf")


def token_code(page: str) -> str:
    found = re.search(r"Sealed and queued as <code>([0-9a-f-]{36})</code>", page)
    assert found, page[-1500:]
    return found[1]


@dataclass
class Console:
    app: TestClient
    clock: FixedClock
    services: NodeServices
    passwords: set[str]

    def client(self) -> TestClient:
        """Another browser: its own cookies."""
        return TestClient(self.app.app, base_url="http://testserver")

    def sign_in(self, client: TestClient, name: str, password: str = PASSWORD) -> httpx.Response:
        """Sign in at ``client`` (the user's password is set the first time: argon2id costs a
        tenth of a second, so only the users a test signs in get one)."""
        if name not in self.passwords and name != "nobody":
            self.services.console.set_password(name, PASSWORD)
            self.passwords.add(name)
        return sign_in(client, name, password)


@contextlib.contextmanager
def open_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[Console]:
    """A node (its users: ``tests.support.api.prepare``'s, an analyst ``anna`` and a
    CONFIDENTIAL officer ``connie``) and its console app, without background workers."""
    clock = FixedClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
    prepare(tmp_path / "home", monkeypatch, database_url, clock)
    services = NodeServices.open(load_settings(), clock)
    try:
        services.users.add("connie", "officer", "CONFIDENTIAL", [])
        services.users.add("anna", "analyst", None, [])
        with TestClient(create_app(load_settings(), clock, background=False)) as app:
            yield Console(app, clock, services, set())
    finally:
        services.close()


@pytest.fixture
def console_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[Console]:
    """The fixture ``console`` (tests/integration/conftest.py): :func:`open_console`."""
    with open_console(tmp_path, monkeypatch, database_url) as opened:
        yield opened
