"""``--json`` on every command that prints data (docs/cli.md, "JSON"): one JSON document on
stdout, with the keys the docs promise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import gsomia
from tests.support.cli import accord, every_command

#: Commands without --json: what they print is a file's content in a chosen format, a long-running
#: server's log, or only a confirmation of an action.
WITHOUT_JSON = {
    "agreements export",  # --format yaml|json
    "label convert",  # writes the label in the --to encoding
    "label make",  # the same
    "keys descriptor",  # the descriptor is JSON already
    "serve",  # its log lines: --log-format json
    "users revoke",
    "users passwd",
    "tokens revoke",
    "keys rotate",
    "keys revoke",
    "keys retire",
    "keys pin",
    "peers add",
    "peers remove",
    "log append-test",
}


def test_every_command_that_prints_data_has_json() -> None:
    without = {
        path
        for path, command in every_command().items()
        if not any("--json" in getattr(p, "opts", []) for p in command.params)
    }
    assert without == WITHOUT_JSON


def _json(*args: str, home: Path, **env: str) -> Any:
    result = accord(*args, "--json", home=home, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised USA node (each test may run in another worker: none relies on another)."""
    home = tmp_path_factory.mktemp("json") / "usa"
    initialised = _json("init", "--nation", "USA", "--name", "usa.example", home=home)
    assert initialised["changed"] is True
    assert initialised["node"] == "usa.example"
    assert initialised["keys_created"] is True
    assert "agreement pak-usa-cismoa" in initialised["public_record"]["added"]
    return home


def test_node_commands_json(home: Path, tmp_path: Path) -> None:
    again = _json("init", home=home)
    assert (again["changed"], again["keys_created"]) == (False, False)

    user = _json("users", "add", "alice", "--role", "officer", "--clearance", "SECRET", home=home)
    assert (user["name"], user["role"], user["clearance"]) == ("alice", "officer", "SECRET")
    token = _json("tokens", "create", "alice", "--expires-in", "30d", home=home)
    assert set(token) == {"id", "user", "expires_at", "token"}
    listed = _json("tokens", "list", home=home)
    assert [t["id"] for t in listed] == [token["id"]]
    assert token["token"] not in json.dumps(listed)

    keys = _json("keys", "generate", "--nation", "PAK", "--name", "pak.example",
                 home=tmp_path / "pak")  # fmt: skip
    assert (keys["node"], keys["nation"]) == ("pak.example", "PAK")
    assert {k["use"] for k in keys["keys"]} == {"signing", "encryption"}
    descriptor = tmp_path / "pak.json"
    assert (
        accord("keys", "descriptor", "-o", str(descriptor), home=tmp_path / "pak").returncode == 0
    )
    assert accord("peers", "add", "--descriptor", str(descriptor), "--url",
                  "http://127.0.0.1:9", home=home).returncode == 0  # fmt: skip
    peer = _json("peers", "show", "pak.example", home=home)
    assert (peer["node"], peer["nation"]) == ("pak.example", "PAK")
    shown = accord("peers", "show", "pak.example", home=home)
    assert "pak.example (PAK) at http://127.0.0.1:9" in shown.stdout  # for people: not JSON
    assert isinstance(_json("watch", home=home), list)  # which alerts depends on today


def test_register_commands_json(home: Path, tmp_path: Path) -> None:
    document = tmp_path / "gsomia.json"
    document.write_text(json.dumps(gsomia("USA", "PAK", "2024-01-15")))
    imported = _json("agreements", "import", str(document), home=home)
    assert imported["changed"] is True
    assert imported["added"] == ["agreement pak-usa-gsomia-test"]
    assert _json("agreements", "import", str(document), home=home)["changed"] is False
    recorded = _json("agreements", "record", "pak-usa-gsomia-test", "suspended", "--date",
                     "2025-03", "--source", "https://example.org/x", home=home)  # fmt: skip
    assert recorded["recorded"]["kind"] == "suspended"
    assert recorded["today"]["id"] == "pak-usa-gsomia-test"
    assert recorded["today"]["status"] == "suspended"
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"schema": "accord.transfers/1", "cases": []}))
    assert _json("transfers", "import", str(cases), home=home)["changed"] is False
