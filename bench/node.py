"""Benchmark: releases per second into the outbox over real HTTP, on SQLite and PostgreSQL.

Each run starts ``accord serve`` on loopback and sends 1 KiB text releases from 16 concurrent
clients for a fixed time; every accepted release is decided, sealed, queued and logged in one
transaction. The floor, measured in the same run, is the in-process minimum for one release:
the policy decision, the seal and one log append (in memory), with no HTTP and no database.

CPU: the server's CPU time (``accord serve`` and its workers, read from ``/proc``) over each
measured round, per release; the floor's CPU per release (its own process time), in the same run.
The load generator shares the machine and its CPU is reported beside. Each figure is the median of
``--rounds`` rounds, with the lowest and highest.

Last line: one JSON object with ``sqlite_per_s``, ``postgres_per_s``, ``server_cpu_ms`` (server CPU
milliseconds per release, SQLite), ``floor_cpu_ms``, ``cpu_ratio`` (floor / server) and
``floor_per_s``. Goals: ``cpu_ratio`` >= 0.33 and ``sqlite_per_s`` >= 1,000.
Run: ``.venv/bin/python bench/node.py [--seconds S] [--rounds N]``.
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
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cpu import describe as spread
from cpu import floor_rounds, median_and_spread, process_tree_cpu_seconds

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


@dataclass(frozen=True)
class Round:
    per_s: float
    server_cpu_ms: float
    client_cpu_ms: float


def serve_and_measure(
    environment: dict[str, str],
    token: str,
    clients: int,
    seconds: float,
    rounds: int,
    workers: int = 1,
) -> list[Round]:
    node = ServedNode(
        Path(environment["ACCORD_HOME"]),
        "USA",
        "usa.example",
        database_url=environment.get("ACCORD_DATABASE_URL"),
        workers=workers,
    )
    results = []
    with running([node]):
        assert node.process is not None
        asyncio.run(hammer(node.url, token, clients, 1.0))  # warm up
        for _ in range(rounds):
            server_before = process_tree_cpu_seconds(node.process.pid)
            client_before, start = time.process_time(), time.perf_counter()
            count = asyncio.run(hammer(node.url, token, clients, seconds))
            elapsed = time.perf_counter() - start
            client = time.process_time() - client_before
            server = process_tree_cpu_seconds(node.process.pid) - server_before
            results.append(Round(count / elapsed, server * 1000 / count, client * 1000 / count))
    return results


def report(name: str, rounds: list[Round]) -> None:
    print(
        f"{name}: {spread([r.per_s for r in rounds], 'releases/s')}; server CPU "
        f"{spread([r.server_cpu_ms for r in rounds], 'ms/release', 3)}; load generator CPU "
        f"{spread([r.client_cpu_ms for r in rounds], 'ms/release', 3)}"
    )


def median(rounds: list[Round], field: str) -> float:
    return median_and_spread([getattr(r, field) for r in rounds])[0]


def floor(seconds: float) -> tuple[float, float]:
    """Decide, seal and append to an in-memory log, in process: releases per second and CPU
    milliseconds per release."""
    now = SystemClock().now()
    engine = PolicyEngine(public_record())
    usa = NodeKeys.generate("usa.example", "USA", now)
    pak = parse_descriptor(describe(NodeKeys.generate("pak.example", "PAK", now), now).encode())
    label = banner_to_label(parse_banner("UNCLASSIFIED"), national_policy("USA"))
    accreditation = node_accreditation(national_policy("PAK"), "PAK", now.date())
    recipients = recipients_of(pak, at=now)
    tree = MemoryTree()
    count, start, cpu = 0, time.perf_counter(), time.process_time()
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
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return count / elapsed, cpu * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="accord serve --workers on PG")
    args = parser.parse_args()
    floor_rate, floor_cpu = floor_rounds(
        lambda: floor(args.seconds), args.rounds, "decide + seal + log append", "release"
    )
    measure = (args.clients, args.seconds, args.rounds)
    with tempfile.TemporaryDirectory() as directory:
        environment, token = prepare(Path(directory) / "sqlite", None)
        sqlite = serve_and_measure(environment, token, *measure)
    report(f"SQLite over HTTP, {args.clients} clients", sqlite)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(POSTGRESQL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRESQL}?options=-csearch_path%3D{schema}"
        with tempfile.TemporaryDirectory() as directory:
            environment, token = prepare(Path(directory) / "postgres", url)
            postgres_one = serve_and_measure(environment, token, *measure)
            report("PostgreSQL over HTTP, 1 worker", postgres_one)
            postgres = serve_and_measure(environment, token, *measure, workers=args.workers)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    report(f"PostgreSQL over HTTP, {args.workers} workers", postgres)
    server_cpu = median(sqlite, "server_cpu_ms")
    print(
        json.dumps(
            {
                "sqlite_per_s": round(median(sqlite, "per_s"), 1),
                "postgres_per_s": round(median(postgres, "per_s"), 1),
                "postgres_workers": args.workers,
                "postgres_1_worker_per_s": round(median(postgres_one, "per_s"), 1),
                "server_cpu_ms": round(server_cpu, 3),
                "postgres_server_cpu_ms": round(median(postgres, "server_cpu_ms"), 3),
                "client_cpu_ms": round(median(sqlite, "client_cpu_ms"), 3),
                "floor_cpu_ms": round(floor_cpu, 3),
                "cpu_ratio": round(floor_cpu / server_cpu, 3),
                "floor_per_s": round(floor_rate, 1),
                "sqlite_ratio": round(median(sqlite, "per_s") / floor_rate, 3),
                "postgres_ratio": round(median(postgres, "per_s") / floor_rate, 3),
                "rounds": args.rounds,
            }
        )
    )


if __name__ == "__main__":
    main()
