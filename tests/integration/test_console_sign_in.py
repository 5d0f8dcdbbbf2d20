"""The console's sign-in and sessions (the ASGI app in process, a clock the test advances):
the sign-in form and its answers, throttling, timeouts, sign-out, CSRF and origin checks, bodies
refused before reading without a session, and ``accord users passwd``."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ACCORD, accord
from tests.support.console import PASSWORD, RELEASE, Console, csrf


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sign_in_opens_the_dashboard_with_the_users_name(console: Console) -> None:
    client = console.client()
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    form = client.get("/login")
    assert 'name="username"' in form.text
    assert 'name="password"' in form.text
    signed = console.sign_in(client, "alice")
    assert signed.status_code == 303
    assert signed.headers["location"] == "/"
    cookie = next(v for k, v in signed.headers.multi_items() if v.startswith("accord_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here; Secure when served over TLS
    page = client.get("/")
    assert page.status_code == 200
    assert '<strong class="user-name">alice</strong>' in page.text
    # The marking of a page with no labelled content: the node's system high, at top and bottom.
    assert page.text.count('class="marking marking-red"') == 2
    headers = page.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(console: Console) -> None:
    client = console.client()
    wrong = console.sign_in(client, "alice", "not the password at all")
    unknown = console.sign_in(client, "nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "The user name or the password is not right." in wrong.text
    assert "The user name or the password is not right." in unknown.text
    assert "accord_session" not in wrong.headers.get("set-cookie", "")


def test_failed_sign_ins_slow_the_next_ones_down(console: Console) -> None:
    client = console.client()
    for _ in range(4):
        assert console.sign_in(client, "alice", "guessing and guessing").status_code == 401
    # After the fifth failure the name waits, even with the right password, then may try again.
    assert console.sign_in(client, "alice", "guessing and guessing").status_code == 401
    held = console.sign_in(client, "alice")
    assert held.status_code == 429
    assert "too many failed sign-ins under this name" in held.text
    assert console.sign_in(client, "nobody", "x").status_code == 401  # other names are not held
    console.clock.advance(dt.timedelta(seconds=31))
    assert console.sign_in(client, "alice").status_code == 303


def test_sessions_end_when_idle_when_old_and_on_sign_out(console: Console) -> None:
    client = console.client()
    console.sign_in(client, "alice")
    console.clock.advance(dt.timedelta(minutes=29))
    assert client.get("/").status_code == 200
    console.clock.advance(dt.timedelta(minutes=31))  # idle for more than 30 minutes
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    console.sign_in(client, "alice")
    served = 0
    for _ in range(40):  # busy all day: a page every 20 minutes, until the session ends
        console.clock.advance(dt.timedelta(minutes=20))
        if client.get("/", follow_redirects=False).status_code != 200:
            break
        served += 1
    assert served == 36  # 12 hours, the absolute timeout, and not a request more
    console.sign_in(client, "alice")
    old = dict(client.cookies)
    signed_out = client.post("/logout", data={"csrf": csrf(client)}, follow_redirects=False)
    assert signed_out.headers["location"] == "/login"
    replayed = console.client()
    replayed.cookies.update(old)
    assert replayed.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_forms_without_the_sessions_token_or_from_another_origin_are_refused(
    console: Console,
) -> None:
    client = console.client()
    console.sign_in(client, "alice")
    token = csrf(client)
    assert client.post("/release", data=RELEASE | {"label": "UNCLASSIFIED"}).status_code == 403
    stale = client.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": "x" * 43})
    assert stale.status_code == 403
    assert "security token is missing or stale" in stale.text
    foreign = client.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": token},
                          headers={"Origin": "http://evil.example"})  # fmt: skip
    assert foreign.status_code == 403
    # The sign-in form carries its own token, matched with its cookie.
    fresh = console.client()
    forged = fresh.post("/login", data={"token": "t", "username": "alice", "password": PASSWORD})
    assert forged.status_code == 403
    assert "accord_session" not in forged.headers.get("set-cookie", "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bodies_are_refused_before_reading_without_a_session(console: Console) -> None:
    client = console.client()
    posted = client.post("/release", data=RELEASE, follow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["location"] == "/login"
    big = client.post("/login", content=b"x" * 5000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert big.status_code == 413


def test_the_password_command_reads_stdin_and_refuses_short_ones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert accord("init", "--nation", "USA", home=home).returncode == 0
    assert accord("users", "add", "olga", "--role", "operator", home=home).returncode == 0
    short = accord("users", "passwd", "olga", home=home)  # standard input is empty here
    assert short.returncode == 2
    assert short.stderr == "error: a password has at least 12 characters\n"
    assert accord("users", "passwd", "nobody", home=home).returncode == 3
    environment = {**os.environ, "ACCORD_HOME": str(home)}
    environment.pop("ACCORD_DATABASE_URL", None)
    done = subprocess.run([ACCORD, "users", "passwd", "olga"], input=PASSWORD + "\n", text=True,
                          capture_output=True, env=environment, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "set the console password of olga\n"
