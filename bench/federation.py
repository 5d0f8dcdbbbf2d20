"""Benchmark: delivery between two nodes on loopback, on SQLite and on PostgreSQL.

Two nodes (USA, PAK) run as real ``accord serve`` processes. 10,000 releases of 1 KiB are made on
the USA node (in process, before the measurement: release throughput is bench/node.py's subject),
then USA's delivery worker sends them to PAK, which verifies each envelope, decides it again,
stores it in its inbox with its log entry and answers a signed receipt, which USA verifies and
records. Measured: delivered messages per second, from the first send to the last receipt; and the
latency from release to receipt of messages released one at a time on idle nodes (p50, p99).

The measured window starts once the USA node answers its health check (its start-up is not
counted) and ends at the last receipt; the messages delivered in it give the rate. CPU: both
nodes' processes (``accord serve``, read from ``/proc``) over the window, per delivered message.
The floor, in the same run: seal, sign, verify and open one message in one process, nothing else,
with its CPU per message. Each store runs ``--rounds`` rounds; figures are medians with the
lowest and highest.

Last line: one JSON object with ``delivered_per_s``, ``cpu_ms_per_delivery`` (sender plus receiver
CPU milliseconds per delivered message, SQLite), ``floor_cpu_ms``, ``cpu_ratio`` (floor / nodes),
``p99_ms`` and ``floor_per_s`` (and the same per store). Goals: at least 1,000 delivered messages
per second and ``cpu_ratio`` >= 0.33.
Run: ``.venv/bin/python bench/federation.py [--messages N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cpu import describe as spread
from cpu import floor_rounds, median_and_spread, process_tree_cpu_seconds

from accord.clock import SystemClock
from accord.config import Settings
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import Release, open_envelope, recipients_of, seal
from accord.crypto.keys import NodeKeys
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.json_form import label_to_dict
from accord.labels.national import national_policy
from accord.node.cluster import ServedNode, peer
from accord.node.services import NodeServices
from accord.store.tables import outbox

POSTGRESQL = os.environ.get(
    "ACCORD_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


BODY = b"x" * 1024
CAPABILITY, ACTIVITY = "secure-communications", "joint-exercises"


class Node(ServedNode):
    def __init__(self, root: Path, nation: str, name: str, database_url: str | None) -> None:
        super().__init__(
            root / nation.lower(),
            nation,
            name,
            database_url=database_url,
            environment={"ACCORD_DELIVERY_INTERVAL_SECONDS": "0.05"},
        )
        self.settings = Settings(home=self.home, database_url=database_url)


def setup(root: Path, usa_url: str | None, pak_url: str | None) -> tuple[Node, Node]:
    usa = Node(root, "USA", "usa.example", usa_url)
    pak = Node(root, "PAK", "pak.example", pak_url)
    for node in (usa, pak):
        node.cli("init", "--nation", node.nation, "--name", node.name)
    peer([(usa, pak)])
    usa.cli("users", "add", "alice", "--role", "officer", "--clearance", "SECRET")
    return usa, pak


def release(services: NodeServices, count: int) -> list[str]:
    label = banner_to_label(parse_banner("UNCLASSIFIED"), national_policy("USA"))
    messaging = services.messaging()
    ids = []
    for _ in range(count):
        result = messaging.release(
            user_name="alice",
            recipient="PAK",
            label=label,
            capability=CAPABILITY,
            activity=ACTIVITY,
            body=BODY,
        )
        assert result.id is not None
        ids.append(result.id)
    return ids


def delivered_count(services: NodeServices) -> int:
    with services.database.reading() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "delivered")
            ).scalar_one()
        )


def _cpu(nodes: tuple[Node, ...]) -> float:
    total = 0.0
    for node in nodes:
        assert node.process is not None
        total += process_tree_cpu_seconds(node.process.pid)
    return total


def measure(
    usa_url: str | None, pak_url: str | None, messages: int, samples: int
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as directory:
        usa, pak = setup(Path(directory), usa_url, pak_url)
        services = NodeServices.open(usa.settings, SystemClock())
        try:
            release(services, messages)
            pak.start()
            usa.start()
            # The window opens once USA serves: its start-up (imports, opening the store) is not
            # delivery work. Deliveries made before are not counted.
            start, cpu_before = time.perf_counter(), _cpu((usa, pak))
            already = delivered_count(services)
            while delivered_count(services) < messages:
                time.sleep(0.02)
                if time.perf_counter() - start > 600:
                    raise RuntimeError("delivery did not finish in 10 minutes")
            elapsed, cpu = time.perf_counter() - start, _cpu((usa, pak)) - cpu_before
            latencies = []
            for _ in range(samples):
                began = time.perf_counter()
                (message,) = release(services, 1)
                while services.messaging().status(message)["status"] != "delivered":
                    time.sleep(0.002)
                latencies.append((time.perf_counter() - began) * 1000)
        finally:
            services.close()
            usa.stop()
            pak.stop()
    latencies.sort()
    counted = messages - already
    return {
        "delivered_per_s": round(counted / elapsed, 1),
        "cpu_ms_per_delivery": round(cpu * 1000 / counted, 3),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
    }


@contextmanager
def postgres_schemas() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL schemas (one per node), dropped afterwards."""
    schemas = [f"bench_{secrets.token_hex(4)}" for _ in range(2)]
    admin = sa.create_engine(POSTGRESQL)
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        usa, pak = (f"{POSTGRESQL}?options=-csearch_path%3D{schema}" for schema in schemas)
        yield usa, pak
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def rounds_of(postgres: bool, args: argparse.Namespace) -> dict[str, Any]:
    runs = []
    for _ in range(args.rounds):
        if postgres:
            with postgres_schemas() as (usa_url, pak_url):
                runs.append(measure(usa_url, pak_url, args.messages, args.samples))
        else:
            runs.append(measure(None, None, args.messages, args.samples))
    return {key: median_and_spread([r[key] for r in runs])[0] for key in runs[0]} | {"runs": runs}


def report(store: str, result: dict[str, Any]) -> None:
    runs = result["runs"]
    print(
        f"{store}: {spread([r['delivered_per_s'] for r in runs], 'delivered/s')}; nodes' CPU "
        f"{spread([r['cpu_ms_per_delivery'] for r in runs], 'ms/delivery', 3)}; "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )


def floor(seconds: float) -> tuple[float, float]:
    """Seal, sign, verify and open one 1 KiB message in process: the least any design does.
    Messages per second and CPU milliseconds per message."""
    now = SystemClock().now()
    usa = NodeKeys.generate("usa.example", "USA", now)
    pak = NodeKeys.generate("pak.example", "PAK", now)
    usa_public = parse_descriptor(describe(usa, now).encode())
    recipients = recipients_of(parse_descriptor(describe(pak, now).encode()), at=now)
    label = label_to_dict(banner_to_label(parse_banner("UNCLASSIFIED"), national_policy("USA")))
    release_of = Release(label=label, capability=CAPABILITY, activity=ACTIVITY)
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        sealed = io.BytesIO()
        seal(
            io.BytesIO(BODY), sealed, sender=usa, recipients=recipients, now=now, release=release_of
        )
        sealed.seek(0)
        opened = io.BytesIO()
        open_envelope(sealed, opened, recipient=pak, sender=usa_public)
        count += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return count / elapsed, cpu * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    floor_rate, floor_cpu = floor_rounds(
        lambda: floor(3.0), args.rounds, "seal + sign + verify + open", "message"
    )
    results: dict[str, dict[str, Any]] = {}
    results["sqlite"] = rounds_of(False, args)
    report("SQLite", results["sqlite"])
    results["postgres"] = rounds_of(True, args)
    report("PostgreSQL", results["postgres"])
    sqlite = results["sqlite"]
    best = max(results.values(), key=lambda r: float(r["delivered_per_s"]))
    summary = {
        "delivered_per_s": best["delivered_per_s"],
        "cpu_ms_per_delivery": sqlite["cpu_ms_per_delivery"],
        "floor_cpu_ms": round(floor_cpu, 3),
        "cpu_ratio": round(floor_cpu / sqlite["cpu_ms_per_delivery"], 3),
        "p50_ms": best["p50_ms"],
        "p99_ms": best["p99_ms"],
        "floor_per_s": round(floor_rate, 1),
        "ratio": round(best["delivered_per_s"] / floor_rate, 3),
        "rounds": args.rounds,
        **{f"{store}_{k}": v for store, r in results.items() for k, v in r.items() if k != "runs"},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
