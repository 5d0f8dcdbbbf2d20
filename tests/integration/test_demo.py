"""``accord demo --json``: three real node processes replay the public record; every step has
its outcome and reason, and the demo says whether everything matched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.cli import ACCORD, accord


@pytest.mark.real_processes
def test_the_demo_tells_the_story_of_the_seeds(tmp_path: Path) -> None:
    result = accord("demo", "--json", home=tmp_path / "unused")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["ok"] is True
    # Each step is told on stderr as it happens (stdout stays the report).
    told = result.stderr.splitlines()
    assert told[0] == "  preparing usa.example (USA): its database, register and keys"
    assert any(line.startswith("  serving: usa.example at http://127.0.0.1:") for line in told)
    assert "  2006-06-01: USA -> PAK secure-communications: delivered" in told
    assert told[-1] == "  PAK and IND witness USA's log"
    steps = report["steps"]
    for step in steps:
        assert {"date", "from", "to", "capability", "outcome", "reason"} <= set(step)
    outcomes = [(s["date"][:10], s["to"], s["capability"], s["outcome"]) for s in steps]
    assert ("2006-06-01", "PAK", "secure-communications", "delivered") in outcomes
    assert ("2021-06-01", "PAK", "secure-communications", "refused") in outcomes
    assert ("2023-09-15", "PAK", "secure-communications", "delivered") in outcomes
    assert ("2023-09-20", "PAK", "geospatial-intelligence", "refused") in outcomes
    assert ("2019-06-01", "IND", "geospatial-intelligence", "refused") in outcomes
    assert ("2021-06-01", "IND", "geospatial-intelligence", "delivered") in outcomes
    assert ("2020-09-15", "PAK", "secure-communications", "held") in outcomes
    lapsed = next(s for s in steps if s["outcome"] == "held")
    assert "not in force" in lapsed["reason"]
    assert report["receipts_verified"] == sum(1 for s in steps if s["outcome"] == "delivered")
    assert all(a.startswith("operator data") for a in report["assumptions"])
    # PAK and IND each cosigned USA's log; every release decision USA logged is proved in it.
    cosigned = {c["witness"]: c for c in report["cosigned_checkpoints"]}
    assert set(cosigned) == {"pak.example", "ind.example"}
    for item in cosigned.values():
        assert item["verified"] is True
        assert item["inclusion_proofs"] == len(steps) - 1  # the re-delivery is not a new release


def _children(pid: int) -> set[int]:
    """The process ids whose parent is ``pid`` (from /proc: Linux)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.real_processes
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_demo_leaves_no_node_running(tmp_path: Path, how: signal.Signals) -> None:
    environment = {**os.environ, "ACCORD_HOME": str(tmp_path / "unused")}
    demo = subprocess.Popen(  # the real entry point: a timeout kills it so
        [ACCORD, "demo"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        nodes: set[int] = set()
        while len(nodes) < 3:  # the three nodes serve
            assert time.monotonic() < deadline, "the demo's nodes did not start"
            time.sleep(0.1)
            nodes = {p for p in _children(demo.pid) if "serve" in _command(p)}
        demo.send_signal(how)
        demo.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in nodes):
            assert time.monotonic() < deadline, "a demo node outlived the demo"
            time.sleep(0.1)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


def _command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
