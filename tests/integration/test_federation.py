"""Two nodes (USA and PAK) federating: delivery with signed receipts, a replayed request refused,
a replayed envelope answered with the same receipt and no duplicate, a tampered envelope rejected
with a signed receipt and logged on both sides, a receiver that is down for a while, and
witnessing. The nodes run in this process (tests/support/cluster.py: each node's API app, joined
by an httpx transport, on one fixed clock) and the test runs every delivery and witness pass; the
last test runs real ``accord serve`` processes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.clock import FixedClock
from accord.crypto.descriptor import parse_descriptor
from accord.errors import InvalidInput, VerificationFailed
from accord.federation.protocol import encode_transaction, sign_request
from accord.federation.receipts import verify_receipt
from accord.node.witnessing import check_cosigned, cosigned_checkpoints
from accord.tlog.entries import decode
from accord.tlog.kinds import typed
from accord.tlog.note import VerifierKey
from tests.support.cluster import InProcessNode, cluster
from tests.support.nodes import Node


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[InProcessNode, InProcessNode]]:
    nodes = {"USA": "usa.example", "PAK": "pak.example"}
    clock = FixedClock(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC))
    with cluster(tmp_path, clock, nodes) as found:
        usa, pak = found["USA"], found["PAK"]
        usa.cli("users", "add", "alice", "--role", "officer", "--clearance", "SECRET")
        pak.cli("users", "add", "babar", "--role", "officer", "--clearance", "SECRET")
        yield usa, pak


def _send(usa: InProcessNode, text: str) -> str:
    result = json.loads(
        usa.cli(
            "send", "--as", "alice", "--to", "PAK", "--label", "UNCLASSIFIED",
            "--capability", "secure-communications", "--activity", "joint-exercises",
            "--text", text, "--json",
        )
    )  # fmt: skip
    assert result["permit"] is True
    return str(result["id"])


def _status(node: InProcessNode, message_id: str) -> dict[str, Any]:
    view: dict[str, Any] = json.loads(node.cli("messages", "status", message_id, "--json"))
    return view


def _delivered(usa: InProcessNode, text: str) -> tuple[str, dict[str, Any]]:
    message = _send(usa, text)
    assert usa.services.delivery().run_once().delivered == 1
    view = _status(usa, message)
    assert view["status"] == "delivered", view
    return message, view


def test_a_release_is_delivered_with_a_signed_receipt(pair) -> None:
    usa, pak = pair
    message, view = _delivered(usa, "exercise starts at 0600")
    receipt = view["receipt"]
    assert receipt["status"] == "accepted"
    assert receipt["receiver"] == "pak.example"
    # The receipt is PAK's signed word about exactly the envelope USA sent.
    envelope = usa.home / "sent.env"
    usa.cli("outbox", "--envelope", message, "--out", str(envelope))
    descriptor = parse_descriptor((pak.home / "descriptor.json").read_bytes())
    verify_receipt(
        receipt, receiver=descriptor, envelope_id=message, envelope=envelope.read_bytes()
    )
    inbox = json.loads(pak.cli("inbox", "--as", "babar", "--json"))
    assert message in {m["id"] for m in inbox}
    assert pak.cli("read", "--as", "babar", message, "--raw").strip() == "exercise starts at 0600"


def _transaction(
    usa: InProcessNode, pak: InProcessNode, envelope_id: str, envelope: bytes
) -> tuple[str, bytes, dict[str, str]]:
    txn = secrets.token_hex(8)
    body = encode_transaction(txn, [(envelope_id, envelope)])
    path = f"/federation/v1/transactions/{txn}"
    headers = sign_request(
        usa.services.keys,
        destination=pak.name,
        method="PUT",
        path=path,
        body=body,
        now=usa.clock.now(),
        nonce=secrets.token_hex(16),
    )
    return path, body, headers


def test_replays_are_refused_or_answered_the_same(pair) -> None:
    usa, pak = pair
    message, first = _delivered(usa, "replay me")
    envelope = usa.services.messaging().envelope(message)
    path, body, headers = _transaction(usa, pak, message, envelope)
    answer = pak.app.put(path, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    # A new transaction with the same envelope: the same receipt, and no second inbox row.
    assert answer.json()["receipts"][0] == first["receipt"]
    replayed = pak.app.put(path, content=body, headers=headers)
    assert replayed.status_code == 401  # the very same request: its nonce was used
    assert replayed.json()["error"] == "federation-refused"
    inbox = json.loads(pak.cli("inbox", "--as", "babar", "--json"))
    assert [m["id"] for m in inbox].count(message) == 1


def test_a_tampered_envelope_is_rejected_with_a_receipt_and_logged(pair) -> None:
    usa, pak = pair
    message, _ = _delivered(usa, "do not touch")
    data = bytearray(usa.services.messaging().envelope(message))
    data[-40] ^= 0x01  # inside the closing signature record
    forged_id = message[:-4] + "beef"
    path, body, headers = _transaction(usa, pak, forged_id, bytes(data))
    answer = pak.app.put(path, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()["receipts"][0]
    assert receipt["status"] == "rejected"
    assert receipt["reason"] == "the envelope does not verify"
    descriptor = parse_descriptor((pak.home / "descriptor.json").read_bytes())
    verify_receipt(receipt, receiver=descriptor, envelope_id=forged_id, envelope=bytes(data))
    size = int(pak.cli("log", "checkpoint").splitlines()[1])
    last = json.loads(pak.cli("log", "show", str(size - 1), "--json"))
    assert last["entry"]["status"] == "rejected"


def test_a_receiver_that_is_down_gets_the_message_when_it_is_back(pair) -> None:
    usa, pak = pair
    with pak.offline():
        message = _send(usa, "while you were out")
        report = usa.services.delivery().run_once()
        assert report.failed == 1
        view = _status(usa, message)
        assert view["status"] == "queued"
        assert view["attempts"] == 1
        assert "unreachable" in view["reason"]
        # Backing off: a pass now does not try again.
        assert usa.services.delivery().run_once().failed == 0
    assert isinstance(usa.clock, FixedClock)
    usa.clock.advance(dt.timedelta(seconds=2))  # the first retry waits at most 1 s
    assert usa.services.delivery().run_once().delivered == 1
    assert _status(usa, message)["status"] == "delivered"


def test_peers_witness_each_others_logs(pair) -> None:
    usa = pair[0]
    message, _ = _delivered(usa, "witness this")
    assert [c.witness for c in usa.services.witnesses().collect()] == ["pak.example"]
    first = cosigned_checkpoints(usa.services.database, usa.services.log)
    log_key = VerifierKey.parse(usa.cli("log", "checkpoint", "--key").strip())
    checkpoint = check_cosigned(
        first[0]["note"], log_key, VerifierKey.parse(first[0]["witness_key"])
    )
    # The release's log entries are in the log PAK cosigned: USA's own inclusion proof.
    sent = json.loads(usa.cli("outbox", "--json"))
    index = next(m["log_index"] for m in sent if m["id"] == message)
    proof = json.loads(
        usa.cli("log", "prove", str(index), "--size", str(checkpoint.size), "--json")
    )
    assert proof["root_hash"] == checkpoint.root_hash.hex()
    # More entries, then again: PAK checks consistency with what it cosigned before.
    _delivered(usa, "and this")
    usa.services.witnesses().collect()
    second = cosigned_checkpoints(usa.services.database, usa.services.log)
    assert second[0]["size"] > first[0]["size"]
    # A forged cosigned note does not pass.
    forged = str(second[0]["note"]).replace(str(second[0]["size"]), str(second[0]["size"] + 1), 1)
    with pytest.raises((VerificationFailed, InvalidInput)):
        check_cosigned(forged, log_key, VerifierKey.parse(second[0]["witness_key"]))


def _send_served(usa: Node, text: str) -> str:
    result = usa.json(
        "send", "--as", "alice", "--to", "PAK", "--label", "UNCLASSIFIED",
        "--capability", "secure-communications", "--activity", "joint-exercises", "--text", text,
    )  # fmt: skip
    assert isinstance(result, dict)
    return str(result["id"])


def _wait_for(usa: Node, message_id: str, wanted: str, timeout: float = 30.0) -> dict[str, Any]:
    """Poll a served node (real processes, real time) until the message is in state ``wanted``."""
    deadline = time.monotonic() + timeout
    while True:
        view = usa.json("messages", "status", message_id)
        assert isinstance(view, dict)
        if view["status"] == wanted:
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"{message_id} is {view['status']}, not {wanted}: {view}")
        time.sleep(0.2)


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
        message = _send_served(usa, "resupply at dawn")
        refused = _wait_for(usa, message, "refused")
        assert "refused: " in str(refused["reason"])

        resumed = pak.run(
            "agreements", "record", "pak-usa-cismoa", "resumed", "--date", "2024-05-31"
        )
        assert resumed.returncode == 0, resumed.stderr
        time.sleep(1.0)
        retried = usa.json("messages", "retry", message)
        assert retried["status"] == "queued"  # type: ignore[index]
        delivered = _wait_for(usa, message, "delivered")
        assert delivered["receipt"]["status"] == "accepted"  # type: ignore[index]
    finally:
        usa.stop()
        pak.stop()


def test_every_entry_the_nodes_write_is_its_typed_kind(pair) -> None:
    usa, pak = pair
    _delivered(usa, "typed")
    with pak.offline():  # a failed send is a state change, not a log entry
        _send(usa, "later")
        usa.services.delivery().run_once()
    usa.services.witnesses().collect()
    written = {}
    for node in (usa, pak):
        kinds = set()
        for index in range(node.services.log.checkpoint().size):
            _, data = node.services.log.entry(index)
            value = typed(decode(data))  # raises if an entry is not its kind's typed value
            kinds.add(type(value).__name__)
            assert value.at.tzinfo is not None
        written[node.nation] = kinds
    assert written["USA"] == {"ReleaseDecisionEntry", "EnvelopeSentEntry", "ReceiptEntry"}
    assert written["PAK"] == {"EnvelopeReceivedEntry", "CosignatureSeenEntry"}


def test_the_log_says_what_happened_to_a_message_and_nothing_secret(pair, caplog) -> None:
    usa, _ = pair
    caplog.set_level(logging.INFO, logger="accord")
    message, _ = _delivered(usa, "the convoy leaves at 0600")
    lines = [(r.name, r.getMessage()) for r in caplog.records]
    assert ("accord.outbox", f"message {message}: new -> queued (released)") in lines
    assert ("accord.federation", f"envelope {message} from usa.example: accepted") in lines
    assert ("accord.outbox", f"message {message}: sending -> delivered (accepted)") in lines
    outbox = next(r for r in caplog.records if r.getMessage().endswith("(accepted)"))
    assert outbox.fields == {  # type: ignore[attr-defined]
        "message": message,
        "before": "sending",
        "after": "delivered",
        "event": "accepted",
        "reason": None,
    }
    text = "\n".join(message for _, message in lines)
    assert "convoy" not in text  # never a message's content
    assert "UNCLASSIFIED" not in text  # nor its label
    assert "acc_" not in text  # nor a token


def test_a_receiver_decides_under_a_register_changed_a_moment_ago(pair) -> None:
    usa, pak = pair
    pak.services.engine  # noqa: B018 (PAK's serving engine built now, from the old register)
    exercise = str(Path(__file__).resolve().parents[2] / "examples/agreements/exercise-gsomia.yaml")
    usa.cli("agreements", "import", exercise)
    pak.cli("agreements", "import", exercise)  # by the CLI: PAK's server has not followed yet
    sent = json.loads(usa.cli(
        "send", "--as", "alice", "--to", "PAK", "--label", "SECRET//REL TO USA, PAK",
        "--capability", "secure-communications", "--activity", "joint-exercises",
        "--text", "H-hour is 0600", "--json",
    ))  # fmt: skip
    assert sent["permit"] is True
    assert usa.services.delivery().run_once().delivered == 1  # not refused by a stale register
    assert _status(usa, sent["id"])["receipt"]["status"] == "accepted"
