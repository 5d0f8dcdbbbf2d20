"""Benchmark: releases per second into the outbox over real HTTP, on SQLite and PostgreSQL.

Each run starts ``accord serve`` on loopback and sends 1 KiB text releases from 16 concurrent
clients for a fixed time; every accepted release is decided, sealed, queued and logged in one
transaction. The floor, measured in the same run, is the in-process minimum for one release:
the policy decision, the seal and one log append (in memory), with no HTTP and no database.

Last line: one JSON object with ``sqlite_per_s``, ``postgres_per_s`` and ``floor_per_s``.
Goal: PostgreSQL at least half the floor. Run: ``.venv/bin/python bench/node.py [--seconds S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from accord.agreements.public_record import public_record
from accord.clock import SystemClock
from accord.config import load_settings
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import Release, recipients_of, seal
from accord.crypto.keys import NodeKeys
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.json_form import label_to_dict
from accord.labels.national import national_policy
from accord.node import keys as key_files
from accord.node.cluster import ServedNode, running
from accord.node.initialise import initialise
from accord.node.services import NodeServices
from accord.policy.clearances import node_accreditation
from accord.policy.engine import PolicyEngine
from accord.policy.model import ReleaseRequest
from accord.tlog.entries import EntryKind, LogEntry
from accord.tlog.merkle import MemoryTree, leaf_hash

POSTGRESQL = os.environ.get(
    "ACCORD_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BODY = "x" * 1024
RELEASE = {
    "recipient": "PAK",
    "label": {"banner": "UNCLASSIFIED"},
    "capability": "secure-communications",
    "activity": "joint-exercises",
    "text": BODY,
}


def prepare(home: Path, database_url: str | None) -> tuple[dict[str, str], str]:
    environment = {**os.environ, "ACCORD_HOME": str(home)}
    environment.pop("ACCORD_DATABASE_URL", None)
    if database_url:
        environment["ACCORD_DATABASE_URL"] = database_url
    os.environ.update({k: v for k, v in environment.items() if k.startswith("ACCORD_")})
    if not database_url:
        os.environ.pop("ACCORD_DATABASE_URL", None)
    settings = load_settings()
    clock = SystemClock()
    initialise(settings, clock)
    key_files.save_key_set(settings, NodeKeys.generate("usa.example", "USA", clock.now()), new=True)
    partner = NodeKeys.generate("pak.example", "PAK", clock.now())
    key_files.pin(settings, describe(partner, clock.now()).encode())
    node = NodeServices.open(settings, clock)
    try:
        node.users.add("alice", "officer", "SECRET", [])
        token = node.users.create_token("alice").token
    finally:
        node.close()
    return environment, token


async def _client(host: str, port: int, request: bytes, deadline: float) -> int:
    """One keep-alive HTTP/1.1 connection sending the same release until the deadline. A minimal
    client (one pre-built request, status line and Content-Length parsed) so that the load
    generator, which shares the machine's two cores with the server, costs as little as it can."""
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            answer = await reader.readexactly(length)
            if status != 201:
                raise RuntimeError(f"release failed: {status} {answer[:200]!r}")
            done += 1
    finally:
        writer.close()
    return done


async def hammer(base: str, token: str, clients: int, seconds: float) -> int:
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps(RELEASE).encode()
    request = (
        f"POST /v1/messages HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    deadline = time.perf_counter() + seconds
    counts = await asyncio.gather(
        *(_client(host, int(port), request, deadline) for _ in range(clients))
    )
    return sum(counts)


def serve_and_measure(
    environment: dict[str, str], token: str, clients: int, seconds: float, workers: int = 1
) -> float:
    node = ServedNode(
        Path(environment["ACCORD_HOME"]),
        "USA",
        "usa.example",
        database_url=environment.get("ACCORD_DATABASE_URL"),
        workers=workers,
    )
    with running([node]):
        asyncio.run(hammer(node.url, token, clients, 1.0))  # warm up
        start = time.perf_counter()
        count = asyncio.run(hammer(node.url, token, clients, seconds))
        return count / (time.perf_counter() - start)


def floor(seconds: float) -> float:
    """Decide, seal and append to an in-memory log, in process."""
    now = SystemClock().now()
    engine = PolicyEngine(public_record())
    usa = NodeKeys.generate("usa.example", "USA", now)
    pak = parse_descriptor(describe(NodeKeys.generate("pak.example", "PAK", now), now).encode())
    label = banner_to_label(parse_banner("UNCLASSIFIED"), national_policy("USA"))
    accreditation = node_accreditation(national_policy("PAK"), "PAK", now.date())
    recipients = recipients_of(pak, at=now)
    tree = MemoryTree()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        decision = engine.decide(
            ReleaseRequest(
                sender="USA",
                recipient="PAK",
                label=label,
                capability="secure-communications",
                activity="joint-exercises",
                day=now.date(),
                clearance=accreditation,
            )
        )
        assert decision.permit
        out = io.BytesIO()
        seal(
            io.BytesIO(BODY.encode()),
            out,
            sender=usa,
            recipients=recipients,
            now=now,
            release=Release(
                label=label_to_dict(label),
                capability="secure-communications",
                activity="joint-exercises",
            ),
        )
        entry = LogEntry(
            EntryKind.RELEASE_DECISION,
            {
                "decision": "permit",
                "sender": "USA",
                "recipient": "PAK",
                "capability": "secure-communications",
                "at": now.isoformat(),
            },
        )
        tree.append(leaf_hash(entry.encode()))
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="accord serve --workers on PG")
    args = parser.parse_args()
    floor_rate = floor(args.seconds)
    print(f"floor (decide + seal + log append, in process): {floor_rate:,.0f}/s")
    with tempfile.TemporaryDirectory() as directory:
        environment, token = prepare(Path(directory) / "sqlite", None)
        sqlite_rate = serve_and_measure(environment, token, args.clients, args.seconds)
    print(f"SQLite over HTTP, {args.clients} clients: {sqlite_rate:,.0f} releases/s")
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRESQL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRESQL}?options=-csearch_path%3D{schema}"
        with tempfile.TemporaryDirectory() as directory:
            environment, token = prepare(Path(directory) / "postgres", url)
            postgres_one = serve_and_measure(environment, token, args.clients, args.seconds)
            print(f"PostgreSQL over HTTP, 1 worker: {postgres_one:,.0f} releases/s")
            postgres_rate = serve_and_measure(
                environment, token, args.clients, args.seconds, workers=args.workers
            )
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    print(f"PostgreSQL over HTTP, {args.workers} workers: {postgres_rate:,.0f} releases/s")
    print(
        json.dumps(
            {
                "sqlite_per_s": round(sqlite_rate, 1),
                "postgres_per_s": round(postgres_rate, 1),
                "postgres_workers": args.workers,
                "postgres_1_worker_per_s": round(postgres_one, 1),
                "floor_per_s": round(floor_rate, 1),
                "postgres_ratio": round(postgres_rate / floor_rate, 3),
                "sqlite_ratio": round(sqlite_rate / floor_rate, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
