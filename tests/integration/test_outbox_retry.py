"""A partner's refusal keeps the message, and a retry after the partner's register changed
delivers it; a running node follows a register changed by the CLI. Two nodes in one process
(tests/support/cluster.py) on one fixed clock; every pass is run by the test."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.clock import FixedClock
from tests.support.api import RELEASE
from tests.support.cli import accord
from tests.support.cluster import cluster

CLOCK = dt.date(2026, 11, 22)


def _send(node, text: str) -> str:
    sent = json.loads(
        node.cli(
            "send", "--as", "alice", "--to", "PAK", "--label", "UNCLASSIFIED",
            "--capability", "secure-communications", "--activity", "joint-exercises",
            "--text", text, "--json",
        )
    )  # fmt: skip
    return str(sent["id"])


def _status(node, message: str) -> dict:
    return json.loads(node.cli("messages", "status", message, "--json"))


@pytest.fixture
def nodes(tmp_path):
    with cluster(tmp_path, FixedClock(CLOCK), {"USA": "usa.test", "PAK": "pak.test"}) as found:
        found["USA"].cli("users", "add", "alice", "--role", "officer", "--clearance", "SECRET")
        yield found


def test_a_refused_message_is_kept_and_delivered_when_retried(nodes):
    usa, pak = nodes["USA"], nodes["PAK"]
    # PAK's register (not USA's) says the CISMOA is suspended: PAK refuses what USA releases.
    pak.cli("agreements", "record", "pak-usa-cismoa", "suspended", "--date", "2026-11-01")
    pak.services.follow_register()
    message = _send(usa, "convoy at 0600")
    usa.services.delivery().run_once()
    refused = _status(usa, message)
    assert refused["status"] == "refused"
    assert refused["reason"].startswith("refused: ")
    assert refused["receipt"]["status"] == "rejected"

    # A pass does not send a refused message again on its own.
    assert usa.services.delivery().run_once().delivered == 0
    assert _status(usa, message)["status"] == "refused"

    # PAK's operators resume the agreement; USA's operator retries: PAK decides afresh.
    pak.cli("agreements", "record", "pak-usa-cismoa", "resumed", "--date", "2026-11-21")
    assert pak.services.follow_register()  # what PAK's register follower does every 0.5 s
    retried = json.loads(usa.cli("messages", "retry", message, "--json"))
    assert retried["status"] == "queued"
    usa.services.delivery().run_once()
    delivered = _status(usa, message)
    assert delivered["status"] == "delivered", delivered
    assert delivered["receipt"]["status"] == "accepted"

    # A delivered message is not sent again: one line, exit 1 (a conflict), nothing changed.
    again = accord("messages", "retry", message, home=usa.home)
    assert again.returncode != 0
    assert "it was delivered" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert _status(usa, message)["status"] == "delivered"


def test_a_running_node_follows_a_register_changed_by_the_cli(nodes):
    usa = nodes["USA"]
    token = usa.cli("tokens", "create", "alice").strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    assert usa.app.post("/v1/messages", json=RELEASE, headers=headers).status_code == 201
    # The CLI suspends the CISMOA on USA's register while USA's node serves: once the node
    # has followed the register (its follower checks every 0.5 s), its API denies the release.
    usa.cli("agreements", "record", "pak-usa-cismoa", "suspended", "--date", "2026-11-01")
    assert usa.services.follow_register()
    assert not usa.services.follow_register()  # nothing changed since
    denied = usa.app.post("/v1/messages", json=RELEASE, headers=headers)
    assert denied.status_code == 403, denied.text
    assert "revision 2" in denied.json()["register_version"]


def test_held_messages_are_decided_again_when_the_register_changes(nodes):
    usa = nodes["USA"]
    message = _send(usa, "resupply")
    # Suspended after the release: the pass holds the message.
    usa.cli("agreements", "record", "pak-usa-cismoa", "suspended", "--date", "2026-11-21")
    usa.services.follow_register()
    assert usa.services.delivery().run_once().held == 1
    assert _status(usa, message)["status"] == "held"
    # Resumed: following the register makes the held message due at once; the pass sends it.
    usa.cli("agreements", "record", "pak-usa-cismoa", "resumed", "--date", "2026-11-22")
    assert usa.services.follow_register()
    assert _status(usa, message)["status"] == "queued"
    assert usa.services.delivery().run_once().delivered == 1
    assert _status(usa, message)["status"] == "delivered"


def test_operators_retry_over_the_api_and_learn_only_the_state(nodes):
    usa, pak = nodes["USA"], nodes["PAK"]
    usa.cli("users", "add", "ops", "--role", "operator")
    operator = {"Authorization": f"Bearer {_token(usa, 'ops')}"}
    officer = {"Authorization": f"Bearer {_token(usa, 'alice')}"}
    pak.cli("agreements", "record", "pak-usa-cismoa", "suspended", "--date", "2026-11-01")
    pak.services.follow_register()
    message = _send(usa, "retry me over HTTP")
    usa.services.delivery().run_once()
    assert _status(usa, message)["status"] == "refused"

    assert usa.app.post(f"/v1/outbox/{message}/retry", headers=officer).status_code == 403
    missing = usa.app.post("/v1/outbox/no-such-message/retry", headers=operator)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not-found"
    retried = usa.app.post(f"/v1/outbox/{message}/retry", headers=operator)
    assert retried.status_code == 200, retried.text
    assert retried.json() == {"id": message, "status": "queued"}  # no label, no reason

    pak.cli("agreements", "record", "pak-usa-cismoa", "resumed", "--date", "2026-11-21")
    pak.services.follow_register()
    usa.services.delivery().run_once()
    again = usa.app.post(f"/v1/outbox/{message}/retry", headers=operator)
    assert again.status_code == 409
    assert "delivered" in again.json()["message"]


def _token(node, user: str) -> str:
    return node.cli("tokens", "create", user).strip().splitlines()[-1]
