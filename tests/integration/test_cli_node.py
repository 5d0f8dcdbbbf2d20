"""A new node through the CLI: init with an identity, an officer, a release to a partner that
waits in the outbox, logged with a proof; and a clear refusal when the agreement is not in force."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.support.cli import accord

SEND = ["send", "--as", "alice", "--to", "PAK", "--capability", "secure-communications"]


def send(home: Path, label: str, *extra: str):  # type: ignore[no-untyped-def]
    return accord(*SEND, "--label", label, "--activity", "joint-exercises", *extra, home=home)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("node")
    usa, pak = root / "usa", root / "pak"
    first = accord("init", "--nation", "USA", "--name", "usa.example", home=usa)
    assert first.returncode == 0, first.stderr
    assert "node usa.example (USA)" in first.stdout
    # Keys written in the clear are said to be so, once, when they are created.
    assert "not protected by a passphrase (set ACCORD_KEY_PASSPHRASE" in first.stderr
    sealed = accord("init", "--nation", "IND", "--name", "ind.example", home=root / "ind",
                    ACCORD_KEY_PASSPHRASE="correct horse battery staple")  # fmt: skip
    assert sealed.returncode == 0, sealed.stderr
    assert "passphrase" not in sealed.stderr
    assert accord("init", "--nation", "PAK", "--name", "pak.example", home=pak).returncode == 0
    assert accord("keys", "pin", str(pak / "descriptor.json"), home=usa).returncode == 0
    added = accord("users", "add", "alice", "--role", "officer", "--clearance", "SECRET", home=usa)
    assert added.returncode == 0, added.stderr
    return {"usa": usa, "pak": pak}


def test_init_again_changes_nothing_and_keeps_the_identity(nodes: dict[str, Path]) -> None:
    again = accord("init", "--nation", "USA", "--name", "usa.example", home=nodes["usa"])
    assert again.returncode == 0
    assert "nothing changed" in again.stdout
    other = accord("init", "--nation", "IND", home=nodes["usa"])
    assert other.returncode == 4
    assert "already usa.example (USA)" in other.stderr


def test_release_waits_in_the_outbox_and_is_in_the_log(nodes: dict[str, Path]) -> None:
    result = send(nodes["usa"], "UNCLASSIFIED", "--text", "exercise starts at 0600", "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) >= {"id", "permit", "reasons", "log_index"}
    assert body["permit"] is True
    queued = json.loads(accord("outbox", "--json", home=nodes["usa"]).stdout)
    assert [m["id"] for m in queued] == [body["id"]]
    # messages list: by state, as JSON or as a table that fits 80 columns with the id whole.
    listed = accord("messages", "list", "--state", "queued", "--json", home=nodes["usa"])
    assert [m["id"] for m in json.loads(listed.stdout)] == [body["id"]]
    none = accord("messages", "list", "--state", "delivered", home=nodes["usa"])
    assert none.stdout == "No messages delivered.\n"
    table = accord("messages", "list", home=nodes["usa"], COLUMNS="80").stdout
    assert body["id"] in table
    assert max(len(line) for line in table.splitlines()) <= 80
    bad = accord("messages", "list", "--state", "lost", home=nodes["usa"])
    assert bad.returncode == 2
    assert "'lost' is not one of" in bad.stderr
    status = accord("messages", "status", body["id"][:6], home=nodes["usa"])  # a prefix
    assert status.stdout.startswith(f"{body['id']} to pak.example (PAK): queued")
    proof = json.loads(
        accord("log", "prove", str(body["log_index"]), "--json", home=nodes["usa"]).stdout
    )
    assert proof["index"] == body["log_index"]
    checkpoint = accord("log", "checkpoint", home=nodes["usa"]).stdout
    assert checkpoint.startswith("usa.example/log\n")
    # The log's table and the keys' fit 80 columns with ids whole.
    logged = accord("log", "list", home=nodes["usa"], COLUMNS="80").stdout
    assert body["id"] in logged
    keys = accord("keys", "show", home=nodes["usa"], COLUMNS="80").stdout
    shown = json.loads(accord("keys", "show", "--json", home=nodes["usa"]).stdout)["keys"]
    assert all(key["id"] in keys for key in shown)
    for table in (logged, keys):
        assert max(len(line) for line in table.splitlines()) <= 80


def test_a_refusal_says_why(nodes: dict[str, Path]) -> None:
    result = send(nodes["usa"], "SECRET//REL TO USA, PAK", "--text", "x", "--json")
    assert result.returncode == 3
    body = json.loads(result.stdout)
    assert body["permit"] is False
    assert body["id"] is None
    failed = [r["message"] for r in body["reasons"] if r["outcome"] == "failed"]
    assert any("classification equivalence" in m for m in failed)


def test_tokens_are_printed_once_and_alone(nodes: dict[str, Path]) -> None:
    created = accord("tokens", "create", "alice", home=nodes["usa"])
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("acc_")
    assert "\n" not in token
    assert token not in (nodes["usa"] / "accord.db").read_bytes().decode("latin-1")
    # tokens list: the token's record, never the token (nor its hash).
    token_id = created.stderr.split()[1]
    listed = accord("tokens", "list", "--user", "alice", "--json", home=nodes["usa"])
    records = {r["id"]: r for r in json.loads(listed.stdout)}
    assert records[token_id]["user"] == "alice"
    assert records[token_id]["revoked_at"] is None
    assert "acc_" not in listed.stdout
    assert accord("tokens", "revoke", token_id, home=nodes["usa"]).returncode == 0
    table = accord("tokens", "list", home=nodes["usa"]).stdout
    assert f"{token_id}  alice  " in table
    assert (
        "revoked"
        in table.splitlines()[[token_id in line for line in table.splitlines()].index(True)]
    )
    unknown = accord("tokens", "list", "--user", "nobody", home=nodes["usa"])
    assert unknown.returncode == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "Bad Name", "--role", "officer"], "user name"),
        (
            [
                "send",
                "--as",
                "nobody",
                "--to",
                "PAK",
                "--label",
                "UNCLASSIFIED",
                "--capability",
                "secure-communications",
                "--activity",
                "joint-exercises",
                "--text",
                "x",
            ],
            "no user 'nobody'",
        ),
        (
            [
                "send",
                "--as",
                "alice",
                "--to",
                "PAK",
                "--label",
                "UNCLASSIFIED",
                "--capability",
                "secure-communications",
                "--activity",
                "joint-exercises",
            ],
            "exactly one of --text and --file",
        ),
    ],
)
def test_bad_input(nodes: dict[str, Path], args: list[str], message: str) -> None:
    result = accord(*args, home=nodes["usa"])
    assert result.returncode in (2, 3), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_hand_delivery_to_the_partner_inbox(nodes: dict[str, Path], tmp_path: Path) -> None:
    usa, pak = nodes["usa"], nodes["pak"]
    assert accord("keys", "pin", str(usa / "descriptor.json"), home=pak).returncode == 0
    assert (
        accord(
            "users", "add", "babar", "--role", "officer", "--clearance", "SECRET", home=pak
        ).returncode
        == 0
    )
    sent = json.loads(send(usa, "UNCLASSIFIED", "--text", "convoy at 0600", "--json").stdout)
    envelope = tmp_path / "message.env"
    exported = accord("outbox", "--envelope", sent["id"], "--out", str(envelope), home=usa)
    assert exported.returncode == 0, exported.stderr
    received = accord("receive", str(envelope), "--json", home=pak)
    assert received.returncode == 0, received.stderr
    assert json.loads(received.stdout)["id"] == sent["id"]
    listed = json.loads(accord("inbox", "--as", "babar", "--json", home=pak).stdout)
    assert [m["id"] for m in listed] == [sent["id"]]
    assert set(listed[0]) >= {"id", "from", "label", "received"}
    table = accord("inbox", "--as", "babar", home=pak, COLUMNS="80").stdout
    assert f"{sent['id']}  USA   UNCLASSIFIED" in table
    # Marked above and below, under PAK's policy, as classified systems show content.
    read = accord("read", "--as", "babar", sent["id"], home=pak)
    assert read.stdout == "UNCLASSIFIED\nconvoy at 0600\nUNCLASSIFIED\n"
    raw = accord("read", "--as", "babar", sent["id"][:8], "--raw", home=pak)  # a prefix
    assert (raw.stdout, raw.stderr) == ("convoy at 0600", "marking: UNCLASSIFIED\n")
    as_json = json.loads(accord("read", "--as", "babar", sent["id"], "--json", home=pak).stdout)
    assert as_json["id"] == sent["id"]
    assert as_json["marking"] == "UNCLASSIFIED"
    assert base64.b64decode(as_json["content_base64"]) == b"convoy at 0600"
    again = accord("receive", str(envelope), home=pak)
    assert again.returncode == 4
