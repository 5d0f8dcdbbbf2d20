"""Faults between two real nodes: the sender killed with SIGKILL in the middle of a burst of
2,000 messages and restarted (every message delivered exactly once), and a link that drops every
connection for a while (backoff, then delivery)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from accord.clock import SystemClock
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.national import national_policy
from accord.node.register import open_database
from accord.node.services import NodeServices
from accord.store.tables import inbox, outbox
from tests.support.nodes import Node

#: Real processes, killed and restarted, waited on with the real clock.
pytestmark = pytest.mark.real_processes

BURST = 2000


def _nodes(
    root: Path, pak_url: str | None = None, usa_database: str | None = None, workers: int = 1
) -> tuple[Node, Node]:
    usa = Node(root / "usa", "USA", "usa.example", database_url=usa_database, workers=workers)
    pak = Node(root / "pak", "PAK", "pak.example")
    for node in (usa, pak):
        assert node.run("init", "--nation", node.nation, "--name", node.name).returncode == 0
    added = usa.run(
        "peers",
        "add",
        "--descriptor",
        str(pak.home / "descriptor.json"),
        "--url",
        pak_url or pak.url,
    )
    assert added.returncode == 0, added.stderr
    back = pak.run(
        "peers", "add", "--descriptor", str(usa.home / "descriptor.json"), "--url", usa.url
    )
    assert back.returncode == 0, back.stderr
    added = usa.run("users", "add", "alice", "--role", "officer", "--clearance", "SECRET")
    assert added.returncode == 0, added.stderr
    return usa, pak


def _release(node: Node, count: int) -> list[str]:
    services = NodeServices.open(node.settings(), SystemClock())
    try:
        label = banner_to_label(parse_banner("UNCLASSIFIED"), national_policy("USA"))
        messaging = services.messaging()

        def release(number: int) -> str:
            result = messaging.release(
                user_name="alice",
                recipient="PAK",
                label=label,
                capability="secure-communications",
                activity="joint-exercises",
                body=f"message {number}".encode(),
            )
            assert result.id is not None
            return result.id

        # Eight at a time: their writes share commits (group commit), as an API's would.
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(release, range(count)))
    finally:
        services.close()


def _count(node: Node, query: sa.Select[tuple[int]]) -> int:
    database = open_database(node.settings())
    try:
        with database.reading() as connection:
            return int(connection.execute(query).scalar_one())
    finally:
        database.dispose()


def _delivered(node: Node) -> int:
    query = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "delivered")
    return _count(node, query)


def test_killing_the_sender_mid_burst_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    usa, pak = _nodes(tmp_path)
    ids = _release(usa, BURST)
    pak.start()
    usa.start()
    try:
        deadline = time.monotonic() + 120
        while _delivered(usa) < BURST // 5:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        usa.kill()  # SIGKILL: no shutdown, no cleanup
        assert _delivered(usa) < BURST  # killed in the middle, not after the end
        usa.start()
        while _delivered(usa) < BURST:
            assert time.monotonic() < deadline, f"{_delivered(usa)} of {BURST} delivered"
            time.sleep(0.1)
    finally:
        usa.stop()
        pak.stop()
    # Every message is in PAK's inbox exactly once (ids are the primary key; count them all).
    received = _count(pak, sa.select(sa.func.count()).select_from(inbox))
    assert received == BURST
    inbox_ids = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.id.in_(ids[:500]))
    assert _count(pak, inbox_ids) == 500
    for node in (usa, pak):
        services = NodeServices.open(node.settings(), SystemClock())
        try:
            assert services.log.verify_integrity().intact
        finally:
            services.close()


def test_several_delivery_workers_on_postgresql_share_the_outbox(
    tmp_path: Path, postgresql_url: str
) -> None:
    usa, pak = _nodes(tmp_path, usa_database=postgresql_url, workers=2)
    ids = _release(usa, 400)
    pak.start()
    usa.start()
    try:
        deadline = time.monotonic() + 120
        while _delivered(usa) < len(ids):
            assert time.monotonic() < deadline, f"{_delivered(usa)} of {len(ids)} delivered"
            time.sleep(0.1)
    finally:
        usa.stop()
        pak.stop()
    # Two worker processes claimed from one outbox: nothing was sent twice into the inbox, and
    # USA's log holds exactly one receipt entry per message.
    assert _count(pak, sa.select(sa.func.count()).select_from(inbox)) == len(ids)
    services = NodeServices.open(usa.settings(), SystemClock())
    try:
        receipts = 0
        for index in range(services.log.size()):
            kind, _ = services.log.entry(index)
            receipts += kind == "receipt"
        assert receipts == len(ids)
    finally:
        services.close()


class DroppingProxy:
    """A TCP proxy that closes every connection at once while ``dropping``, and forwards them
    to ``target`` otherwise."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.dropping = True
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.dropped = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.dropping:
                self.dropped += 1
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[Node, Node, DroppingProxy]]:
    pak_port_holder = Node(tmp_path / "unused", "PAK", "pak.example")
    proxy = DroppingProxy(pak_port_holder.port)
    usa, pak = _nodes(tmp_path, pak_url=f"http://127.0.0.1:{proxy.port}")
    pak.port, pak.url = pak_port_holder.port, pak_port_holder.url
    yield usa, pak, proxy
    proxy.close()
    usa.stop()
    pak.stop()


def test_a_link_that_drops_connections_backs_off_then_delivers(
    proxied: tuple[Node, Node, DroppingProxy],
) -> None:
    usa, pak, proxy = proxied
    pak.start()
    usa.start()
    (message,) = _release(usa, 1)
    deadline = time.monotonic() + 30
    while True:
        view = usa.json("messages", "status", message)
        assert isinstance(view, dict)
        if int(view["attempts"]) >= 2:  # type: ignore[call-overload]
            break
        assert time.monotonic() < deadline, view
        time.sleep(0.1)
    assert view["status"] == "queued"
    assert proxy.dropped >= 2
    proxy.dropping = False
    deadline = time.monotonic() + 60
    while usa.json("messages", "status", message)["status"] != "delivered":  # type: ignore[index]
        assert time.monotonic() < deadline
        time.sleep(0.2)
