"""The README's "First hour" runs as written: every line of its shell block, in order, with two
real ``accord serve`` processes in the background.

The block is read from the README, not copied here. Its two shell functions name the nodes' data
directories; each other line is one command on one node. What the test changes: free ports for
8600 and 8601 (another test may hold them), the placeholder ``ID`` (the id ``pak inbox`` shows,
cut to a prefix as a person would), and a wait for delivery before ``messages list`` (a person
reads the list a second later). A line whose comment says ``exit 3`` must exit 3; every other
line must exit 0.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.cli import ACCORD, accord
from tests.support.servers import free_port, stop, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = re.compile(r'^(\w+)\(\) \{ ACCORD_HOME=\$PWD/(\S+) accord "\$@"; \}$')


def _session() -> list[str]:
    """The block's lines, continuation lines joined."""
    text = (ROOT / "README.md").read_text()
    start = text.index("```sh\n", text.index("## First hour")) + len("```sh\n")
    block = text[start : text.index("```\n", start)]
    return block.replace("\\\n", " ").splitlines()


def _wait_delivered(home: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        listed = json.loads(accord("messages", "list", "--json", home=home).stdout)
        if listed and all(m["status"] == "delivered" for m in listed):
            return
        time.sleep(0.1)
    raise AssertionError(f"not delivered: {listed}")


@pytest.mark.real_processes
def test_the_first_hour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    ports = {"8600": str(free_port()), "8601": str(free_port())}
    homes: dict[str, Path] = {}
    servers: list[subprocess.Popen[bytes]] = []
    said: list[tuple[str, subprocess.CompletedProcess[str]]] = []
    lines = _session()
    try:
        for line in lines:
            if match := FUNCTION.match(line):
                homes[match[1]] = tmp_path / match[2]
                continue
            words = shlex.split(line, comments=True)
            for plain, free in ports.items():
                words = [word.replace(plain, free) for word in words]
            if words == ["kill", "%1", "%2"]:
                for server in servers:
                    stop(server)
                servers.clear()
                continue
            node, args = words[0], words[1:]
            home = homes[node]
            if args[-1] == "&":
                assert args[0] == "serve", line
                assert args[-3] == "2>", line
                with (tmp_path / args[-2]).open("wb") as log:
                    server = subprocess.Popen(
                        [ACCORD, *args[:-3]], env=_environment(home), stderr=log,
                    )  # fmt: skip
                servers.append(server)
                wait_until_healthy(f"http://127.0.0.1:{args[args.index('--port') + 1]}")
                continue
            if args[:2] == ["messages", "list"]:
                _wait_delivered(home)
            if "ID" in args:
                inbox = json.loads(accord("inbox", "--as", "babar", "--json", home=home).stdout)
                args = [inbox[0]["id"][:8] if word == "ID" else word for word in args]
            result = accord(*args, home=home)
            expected = 3 if "exit 3" in line else 0
            assert result.returncode == expected, (line, result.stdout, result.stderr)
            said.append((" ".join([node, *args[:2]]), result))
    finally:
        for server in servers:
            stop(server)
    assert not servers, "the session ends by stopping both nodes"
    # What the README says each step shows.
    sends = [result.stdout for command, result in said if command == "usa send --as"]
    assert sends[0].startswith("denied")
    assert "[failed] classification-equivalence" in sends[0]
    assert "queued as" in sends[1]
    assert "PERMIT" in sends[1]
    shown = dict(said)
    assert "GSOMIA: unknown" in shown["usa agreements status"].stdout
    assert "delivered" in shown["usa messages list"].stdout
    read = shown["pak read --as"].stdout.splitlines()
    assert read == ["SECRET - RELEASABLE TO PAK, USA", "H-hour is 0600",
                    "SECRET - RELEASABLE TO PAK, USA"]  # fmt: skip
    logged = shown["usa log list"].stdout
    assert "deny USA to PAK" in logged
    assert "permit USA to PAK" in logged
    assert "accepted by pak.example" in logged  # PAK's signed receipt


def _environment(home: Path) -> dict[str, str]:
    environment = {**os.environ, "ACCORD_HOME": str(home)}
    environment.pop("ACCORD_DATABASE_URL", None)
    return environment
