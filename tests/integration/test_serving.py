"""``accord serve`` against slow and greedy clients, over real sockets: half-sent headers and
bodies and idle connections are dropped within the configured time, one address cannot hold
more than its share of connections, and unauthenticated uploads cannot make the server hold
memory (the body is never read before the caller is authenticated)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from accord.api.app import create_app
from accord.api.server import uvicorn_options
from accord.clock import SystemClock
from accord.config import load_settings
from tests.support.api import CLOCK, prepare
from tests.support.servers import free_port, serve, stop

#: The timeouts these tests serve with (the defaults are 10 s and 60 s).
TIMEOUT = 0.5
#: How long a test waits for the drop: the timeout and ample slack for a loaded machine.
PATIENCE = 10.0

#: A real `accord serve` process and real sockets: the timeouts are real time (0.5 s here).
pytestmark = pytest.mark.real_processes


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, str]]:
    tokens = prepare(tmp_path / "home", monkeypatch)
    settings = load_settings(
        header_timeout_seconds=TIMEOUT,
        body_timeout_seconds=TIMEOUT,
        max_connections_per_client=4,
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, CLOCK),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + PATIENCE
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield port, tokens["alice"]
    finally:
        server.should_exit = True
        thread.join(PATIENCE)


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)


def _dropped_after(connection: socket.socket) -> float:
    """Seconds until the server closes ``connection`` without answering (fails otherwise)."""
    start = time.monotonic()
    try:
        received = connection.recv(65536)
    except ConnectionResetError:
        received = b""
    assert received == b"", received[:200]
    return time.monotonic() - start


def _request(port: int, request: bytes) -> bytes:
    with _connect(port) as connection:
        connection.sendall(request)
        return connection.recv(65536)


def test_a_complete_request_is_answered(served: tuple[int, str]) -> None:
    port, _ = served
    answer = _request(port, b"GET /healthz HTTP/1.1\r\nHost: node\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200")


def test_half_sent_headers_are_dropped(served: tuple[int, str]) -> None:
    port, _ = served
    with _connect(port) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: node\r\n")
        assert _dropped_after(connection) < PATIENCE


def test_an_idle_connection_is_dropped(served: tuple[int, str]) -> None:
    port, _ = served
    with _connect(port) as connection:
        assert _dropped_after(connection) < PATIENCE


def test_a_half_sent_body_is_dropped(served: tuple[int, str]) -> None:
    port, token = served
    with _connect(port) as connection:
        connection.sendall(
            b"POST /v1/messages HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 500\r\n\r\n{"
        )
        assert _dropped_after(connection) < PATIENCE


def test_headers_past_their_limit_are_dropped(served: tuple[int, str]) -> None:
    port, _ = served
    with _connect(port) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\n")
        try:
            for _ in range(20):
                connection.sendall(b"X-Padding: " + b"a" * 8000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert _dropped_after(connection) < PATIENCE


def test_an_unauthenticated_body_is_refused_before_it_is_read(served: tuple[int, str]) -> None:
    port, _ = served
    with _connect(port) as connection:
        connection.sendall(
            b"POST /v1/messages HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_one_address_holds_at_most_its_share_of_connections(served: tuple[int, str]) -> None:
    port, _ = served
    held = [_connect(port) for _ in range(4)]
    try:
        time.sleep(0.1)  # the server has counted the four
        with _connect(port) as fifth:
            started = time.monotonic()
            assert _dropped_after(fifth) < TIMEOUT
            assert time.monotonic() - started < TIMEOUT
        held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: node\r\n\r\n")
        assert held[0].recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        for connection in held:
            connection.close()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _upload(port: int, path: bytes, megabytes: int) -> None:
    """A chunked upload of ``megabytes`` MiB with no credentials, sent as fast as the server
    takes it, until the server answers or closes."""
    chunk = b"%x\r\n%s\r\n" % (1024 * 1024, b"x" * 1024 * 1024)
    with _connect(port) as connection:
        connection.sendall(
            b"PUT " + path + b" HTTP/1.1\r\nHost: node\r\nAccord-Request: AAAA\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            for _ in range(megabytes):
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            return


def test_unauthenticated_uploads_do_not_grow_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight unauthenticated 31 MiB uploads at once (to the federation routes, which buffered
    up to 32 MiB each before their signature was checked, and to a token route)."""
    prepare(tmp_path / "served", monkeypatch, clock=SystemClock())
    environment = {**os.environ, "ACCORD_HOME": str(tmp_path / "served")}
    environment.pop("ACCORD_DATABASE_URL", None)
    server, base = serve(environment)
    port = int(base.rsplit(":", 1)[1])
    try:
        before = _rss_kib(server.pid)
        paths = [
            b"/federation/v1/transactions/abcdefgh",
            b"/federation/v1/witness",
            b"/v1/messages",
            b"/v1/agreements",
        ] * 2
        uploads = [threading.Thread(target=_upload, args=(port, p, 31)) for p in paths]
        for upload in uploads:
            upload.start()
        peak = before
        deadline = time.monotonic() + 60
        while any(u.is_alive() for u in uploads) and time.monotonic() < deadline:
            peak = max(peak, _rss_kib(server.pid))
            time.sleep(0.01)
        peak = max(peak, _rss_kib(server.pid))
        # Before authentication came first, this peaked about 250 MiB above the start.
        assert peak - before < 24 * 1024, f"the server grew by {peak - before} KiB"
    finally:
        stop(server)
