"""The console's test helpers: a user's sign-in through the form (its one-time token), the
session's CSRF token, and the release form's usual fields."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

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
