"""Benchmark: reading a 1 MiB register document (JSON and YAML), against the parser floor.

Accord's path is what ``accord agreements import`` and ``POST /v1/agreements`` do before they
touch the database: ``parse_document`` (size limit, parse, alias and nesting checks) then
``register_from_dict`` (every field validated, lifecycles computed). The floor is the bare
parse of the same bytes (``json.loads``; PyYAML's C safe loader): nothing can read the document
faster than its parser. Wall time and CPU time per document are medians over rounds.

Last line: one JSON object with each figure and ``ratio`` (Accord / floor, JSON; lower is better).
Run: ``.venv/bin/python bench/register_import.py [--bytes N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import yaml

from accord.agreements.document import parse_document
from accord.agreements.public_record import public_record
from accord.agreements.record import register_from_dict, register_to_dict


def document(size: int) -> dict[str, Any]:
    """The public record, its agreements repeated under fresh ids until about ``size`` bytes."""
    base = register_to_dict(public_record())
    agreements = base["agreements"]
    out = dict(base, agreements=[])
    copy = 0
    while len(json.dumps(out)) < size:
        for agreement in agreements:
            out["agreements"].append(dict(agreement, id=f"{agreement['id']}-{copy}"))
        copy += 1
    out.pop("milestones", None)
    out.pop("designations", None)
    return out


def timed(work: Callable[[], object], rounds: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bytes", type=int, default=1024 * 1024)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    value = json.loads(json.dumps(document(args.bytes)))  # no shared objects: no YAML aliases
    as_json = json.dumps(value, indent=1).encode()
    as_yaml = yaml.safe_dump(value, sort_keys=False).encode()
    limit = 8 * 1024 * 1024
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    figures: dict[str, float] = {
        "json_bytes": len(as_json),
        "yaml_bytes": len(as_yaml),
        "agreements": len(value["agreements"]),
    }
    cases: dict[str, Callable[[], object]] = {
        "accord_json": lambda: register_from_dict(parse_document(as_json, "json", limit=limit)[0]),
        "floor_json": lambda: json.loads(as_json),
        "accord_yaml": lambda: register_from_dict(parse_document(as_yaml, "yaml", limit=limit)[0]),
        "floor_yaml": lambda: yaml.load(as_yaml, Loader=loader),  # noqa: S506 - safe loader
    }
    for name, work in cases.items():
        wall, cpu = timed(work, args.rounds)
        figures[f"{name}_ms"] = round(wall, 1)
        figures[f"{name}_cpu_ms"] = round(cpu, 1)
        print(f"{name:12} {wall:8.1f} ms wall {cpu:8.1f} ms CPU per document")
    figures["ratio"] = round(figures["accord_json_ms"] / figures["floor_json_ms"], 1)
    figures["ratio_yaml"] = round(figures["accord_yaml_ms"] / figures["floor_yaml_ms"], 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
