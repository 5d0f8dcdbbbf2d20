"""Two nodes (USA and PAK) as real ``accord serve`` processes on loopback, federating over real
HTTP: delivery with signed receipts, a replayed request refused, a replayed envelope answered with
the same receipt and no duplicate, a tampered envelope rejected with a signed receipt and logged on
both sides, and a receiver that is down for a while."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accord.clock import SystemClock
from accord.crypto.descriptor import parse_descriptor
from accord.errors import InvalidInput, VerificationFailed
from accord.federation.protocol import encode_transaction, sign_request
from accord.federation.receipts import verify_receipt
from accord.node import keys as key_files
from accord.node.witnessing import check_cosigned
from accord.tlog.note import VerifierKey
from tests.support.nodes import Node


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    root = tmp_path_factory.mktemp("federation")
    usa = Node(root / "usa", "USA", "usa.example")
    pak = Node(root / "pak", "PAK", "pak.example")
    for node in (usa, pak):
        assert node.run("init", "--nation", node.nation, "--name", node.name).returncode == 0
    for node, other in ((usa, pak), (pak, usa)):
        added = node.run(
            "peers", "add", "--descriptor", str(other.home / "descriptor.json"), "--url", other.url
        )
        assert added.returncode == 0, added.stderr
    assert (
        usa.run("users", "add", "alice", "--role", "officer", "--clearance", "SECRET").returncode
        == 0
    )
    assert (
        pak.run("users", "add", "babar", "--role", "officer", "--clearance", "SECRET").returncode
        == 0
    )
    usa.start()
    pak.start()
    try:
        yield usa, pak
    finally:
        usa.stop()
        pak.stop()


def _send(usa: Node, text: str) -> str:
    result = usa.json(
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
        "--text",
        text,
    )
    assert isinstance(result, dict)
    assert result["permit"] is True
    return str(result["id"])


def _status(usa: Node, message_id: str, wanted: str, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        view = usa.json("messages", "status", message_id)
        assert isinstance(view, dict)
        if view["status"] == wanted:
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"{message_id} is {view['status']}, not {wanted}: {view}")
        time.sleep(0.2)


def test_a_release_is_delivered_with_a_signed_receipt(pair: tuple[Node, Node]) -> None:
    usa, pak = pair
    message = _send(usa, "exercise starts at 0600")
    view = _status(usa, message, "delivered")
    receipt = view["receipt"]
    assert isinstance(receipt, dict)
    assert receipt["status"] == "accepted"
    assert receipt["receiver"] == "pak.example"
    # The receipt is PAK's signed word about exactly the envelope USA sent.
    envelope = usa.home / "sent.env"
    assert usa.run("outbox", "--envelope", message, "--out", str(envelope)).returncode == 0
    descriptor = parse_descriptor((pak.home / "descriptor.json").read_bytes())
    verify_receipt(
        receipt, receiver=descriptor, envelope_id=message, envelope=envelope.read_bytes()
    )
    inbox = pak.json("inbox", "--as", "babar")
    assert message in {m["id"] for m in inbox}  # type: ignore[union-attr]
    read = pak.run("read", "--as", "babar", message)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "exercise starts at 0600"


def _transaction(
    usa: Node, pak: Node, envelope_id: str, envelope: bytes
) -> tuple[str, bytes, dict[str, str]]:
    keys = key_files.load_key_set(usa.settings())
    txn = secrets.token_hex(8)
    body = encode_transaction(txn, [(envelope_id, envelope)])
    path = f"/federation/v1/transactions/{txn}"
    headers = sign_request(
        keys,
        destination=pak.name,
        method="PUT",
        path=path,
        body=body,
        now=SystemClock().now(),
        nonce=secrets.token_hex(16),
    )
    return path, body, headers


def test_replays_are_refused_or_answered_the_same(pair: tuple[Node, Node]) -> None:
    usa, pak = pair
    message = _send(usa, "replay me")
    first = _status(usa, message, "delivered")
    envelope = usa.home / "replay.env"
    assert usa.run("outbox", "--envelope", message, "--out", str(envelope)).returncode == 0
    path, body, headers = _transaction(usa, pak, message, envelope.read_bytes())
    answer = httpx.put(pak.url + path, content=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    # A new transaction with the same envelope: the same receipt, and no second inbox row.
    assert answer.json()["receipts"][0] == first["receipt"]
    replayed = httpx.put(pak.url + path, content=body, headers=headers, timeout=10)
    assert replayed.status_code == 401  # the very same request: its nonce was used
    assert replayed.json()["error"] == "federation-refused"
    inbox = pak.json("inbox", "--as", "babar")
    assert [m["id"] for m in inbox].count(message) == 1  # type: ignore[union-attr]


def test_a_tampered_envelope_is_rejected_with_a_receipt_and_logged(pair: tuple[Node, Node]) -> None:
    usa, pak = pair
    message = _send(usa, "do not touch")
    _status(usa, message, "delivered")
    envelope = usa.home / "tampered.env"
    assert usa.run("outbox", "--envelope", message, "--out", str(envelope)).returncode == 0
    data = bytearray(envelope.read_bytes())
    data[-40] ^= 0x01  # inside the closing signature record
    forged_id = message[:-4] + "beef"
    path, body, headers = _transaction(usa, pak, forged_id, bytes(data))
    answer = httpx.put(pak.url + path, content=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()["receipts"][0]
    assert receipt["status"] == "rejected"
    assert receipt["reason"] == "the envelope does not verify"
    descriptor = parse_descriptor((pak.home / "descriptor.json").read_bytes())
    verify_receipt(receipt, receiver=descriptor, envelope_id=forged_id, envelope=bytes(data))
    checkpoint = pak.run("log", "checkpoint").stdout.splitlines()
    size = int(checkpoint[1])
    last = pak.run("log", "show", str(size - 1), "--json")
    assert last.returncode == 0, last.stderr
    assert json.loads(last.stdout)["entry"]["status"] == "rejected"


def test_a_receiver_that_is_down_gets_the_message_when_it_is_back(pair: tuple[Node, Node]) -> None:
    usa, pak = pair
    pak.stop()
    try:
        message = _send(usa, "while you were out")
        deadline = time.monotonic() + 20
        while True:
            view = usa.json("messages", "status", message)
            assert isinstance(view, dict)
            if int(view["attempts"]) >= 1:  # type: ignore[call-overload]
                break
            assert time.monotonic() < deadline, view
            time.sleep(0.2)
        assert view["status"] == "queued"
        assert "unreachable" in str(view["reason"])
    finally:
        pak.start()
    _status(usa, message, "delivered", timeout=40)


def test_peers_witness_each_others_logs(pair: tuple[Node, Node]) -> None:
    usa = pair[0]
    message = _send(usa, "witness this")
    _status(usa, message, "delivered")
    first = usa.json("witness")
    assert isinstance(first, list)
    assert [c["witness"] for c in first] == ["pak.example"]
    log_key = VerifierKey.parse(usa.run("log", "checkpoint", "--key").stdout.strip())
    checkpoint = check_cosigned(
        first[0]["note"], log_key, VerifierKey.parse(first[0]["witness_key"])
    )
    # The release's log entries are in the log PAK cosigned: USA's own inclusion proof.
    sent = usa.json("outbox")
    index = next(m["log_index"] for m in sent if m["id"] == message)  # type: ignore[union-attr]
    proof = usa.json("log", "prove", str(index), "--size", str(checkpoint.size))
    assert isinstance(proof, dict)
    assert proof["root_hash"] == checkpoint.root_hash.hex()
    # More entries, then again: PAK checks consistency with what it cosigned before.
    _status(usa, _send(usa, "and this"), "delivered")
    second = usa.json("witness")
    assert isinstance(second, list)
    assert second[0]["size"] > first[0]["size"]
    # A forged cosigned note does not pass.
    forged = str(second[0]["note"]).replace(str(second[0]["size"]), str(second[0]["size"] + 1), 1)
    with pytest.raises((VerificationFailed, InvalidInput)):
        check_cosigned(forged, log_key, VerifierKey.parse(second[0]["witness_key"]))


@pytest.mark.real_processes
def test_serving_nodes_follow_a_register_changed_by_the_cli(tmp_path: Path) -> None:
    """The scenario of a new operator: PAK's register is changed with the CLI while both nodes
    serve. PAK's running node refuses what its register no longer permits (the message is kept,
    refused, with PAK's reason), and once the register permits it again a retry delivers it,
    with no restart of either node."""
    clock = tmp_path / "clock"
    clock.write_text("2024-06-01")
    extra = {"ACCORD_UNSAFE_CLOCK_FILE": str(clock)}
    usa = Node(tmp_path / "usa", "USA", "usa.example", environment=extra)
    pak = Node(tmp_path / "pak", "PAK", "pak.example", environment=extra)
    for node in (usa, pak):
        assert node.run("init", "--nation", node.nation, "--name", node.name).returncode == 0
    for node, other in ((usa, pak), (pak, usa)):
        added = node.run(
            "peers", "add", "--descriptor", str(other.home / "descriptor.json"), "--url", other.url
        )
        assert added.returncode == 0, added.stderr
    assert (
        usa.run("users", "add", "alice", "--role", "officer", "--clearance", "SECRET").returncode
        == 0
    )
    usa.start()
    pak.start()
    try:
        suspended = pak.run(
            "agreements", "record", "pak-usa-cismoa", "suspended", "--date", "2024-05-01"
        )
        assert suspended.returncode == 0, suspended.stderr
        time.sleep(1.0)  # PAK's serving process follows its register within 0.5 s
        message = _send(usa, "resupply at dawn")
        refused = _status(usa, message, "refused")
        assert "refused: " in str(refused["reason"])

        resumed = pak.run(
            "agreements", "record", "pak-usa-cismoa", "resumed", "--date", "2024-05-31"
        )
        assert resumed.returncode == 0, resumed.stderr
        time.sleep(1.0)
        retried = usa.json("messages", "retry", message)
        assert retried["status"] == "queued"  # type: ignore[index]
        delivered = _status(usa, message, "delivered")
        assert delivered["receipt"]["status"] == "accepted"  # type: ignore[index]
    finally:
        usa.stop()
        pak.stop()
