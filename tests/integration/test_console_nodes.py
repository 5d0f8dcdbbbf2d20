"""The console on two nodes in one process (USA and PAK, joined by an in-process network, with a
clock the test advances): a message delivered and read at the partner between its markings, its
life on the sender's page, the peers' last contact, and a key rotation done from the console
that later messages cross."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi.testclient import TestClient

from accord.clock import FixedClock
from accord.crypto.keys import KeyStatus
from tests.support.cli import accord
from tests.support.cluster import InProcessNode, cluster
from tests.support.console import PASSWORD, RELEASE, csrf, sign_in, token_code

NODES = {"USA": "usa.test", "PAK": "pak.test"}


def _signed_in(
    node: InProcessNode, name: str, role: str, clearance: str | None = None
) -> TestClient:
    node.cli(
        "users", "add", name, "--role", role, *(["--clearance", clearance] if clearance else [])
    )
    node.services.console.set_password(name, PASSWORD)
    client = TestClient(node.app.app, base_url=f"http://{node.name}")
    sign_in(client, name)
    return client


def test_a_delivered_message_is_read_at_the_partner_between_its_markings(tmp_path: Path) -> None:
    clock = FixedClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
    with cluster(tmp_path, clock, NODES) as nodes:
        usa, pak = nodes["USA"], nodes["PAK"]
        operator = _signed_in(usa, "olga", "operator")
        peers = operator.get("/peers").text
        assert "pak.test (PAK)" in peers
        assert "http://pak.test" in peers
        alice = _signed_in(usa, "alice", "officer", "SECRET")
        # The label field's list offers each level releasable to each peer's nation; the picker
        # the policy's levels, its REL TO values among the partners, and NOFORN.
        form = alice.get("/release").text
        assert '<option value="SECRET//REL TO USA, PAK"></option>' in form
        assert 'id="pick-rel-PAK" value="PAK"' in form
        assert "<option>TOP SECRET</option>" in form
        assert 'id="pick-noforn"' in form
        page = alice.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": csrf(alice)})
        message = token_code(page.text)
        assert usa.services.delivery().run_once().delivered == 1
        sent = alice.get(f"/outbox/{message}").text
        assert 'id="message-state">delivered<' in sent
        # Marked with the message's own marking, not the node's system high.
        assert 'id="message-marking">UNCLASSIFIED<' in sent
        assert 'class="marking marking-green" id="marking-top"' in sent
        babar = _signed_in(pak, "babar", "officer", "SECRET")
        assert message in babar.get("/inbox").text
        # Filters: from a nation, for a capability (each checked as the API checks it).
        assert message in babar.get("/inbox?sender=USA&capability=secure-communications").text
        assert message not in babar.get("/inbox?sender=IND").text
        assert babar.get("/inbox?capability=telepathy").status_code == 422
        read = babar.get(f"/inbox/{message}")
        assert read.status_code == 200
        assert read.text.count(">UNCLASSIFIED</p>") == 2  # above and below the content
        assert "exercise starts at 0600" in read.text
        assert 'class="marking marking-green" id="marking-top"' in read.text
        assert babar.get("/inbox/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_messages_life_the_peers_last_contact_and_a_key_rotation(tmp_path: Path) -> None:
    clock = FixedClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
    with cluster(tmp_path, clock, NODES) as nodes:
        usa, pak = nodes["USA"], nodes["PAK"]
        olga, alice = (
            _signed_in(usa, "olga", "operator"),
            _signed_in(usa, "alice", "officer", "SECRET"),
        )
        assert 'Last contact</dt><dd class="last-contact">never' in olga.get("/peers").text
        page = alice.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": csrf(alice)})
        first = token_code(page.text)
        with pak.offline():
            assert usa.services.delivery().run_once().failed == 1
        clock.advance(dt.timedelta(minutes=10))
        assert usa.services.delivery().run_once().delivered == 1
        life = alice.get(f"/outbox/{first}").text
        rows = life[life.index('id="message-history"') :]
        assert rows.index(">released<") < rows.index(">send-failed<") < rows.index(">accepted<")
        assert "pak.test unreachable: ConnectError" in rows
        # USA reached PAK at 09:10; PAK heard from USA then (its signed request).
        assert "answered a delivery: 2024-06-01T09:10" in olga.get("/peers").text
        pete = _signed_in(pak, "pete", "operator")
        assert "last request from it: 2024-06-01T09:10" in pete.get("/peers").text

        # PAK rotates its keys from the console; the log keeps its key, the change is logged.
        before = pak.services.keys
        rotated = pete.post("/peers/keys/rotate", data={"csrf": csrf(pete)})
        assert rotated.status_code == 200, rotated.text[-800:]
        assert "Rotated: give partners the new descriptor." in rotated.text
        after = pak.services.keys  # the serving node reads the rotated set: no restart
        assert sorted(k.status for k in after.keys) == sorted(
            [KeyStatus.SUPERSEDED] * len(before.keys) + [KeyStatus.ACTIVE] * len(before.keys)
        )
        assert pak.services.log.signer.public_key == before.keys[0].public  # the log's key
        shown = json.loads(pak.cli("log", "list", "--kind", "key-event", "--json"))
        assert {e["entry"]["event"] for e in shown} == {"superseded", "active"}
        assert {e["entry"]["by"] for e in shown} == {"pete"}
        descriptor = pete.get("/peers/descriptor")
        assert descriptor.headers["content-disposition"].startswith("attachment;")
        assert b"private" not in descriptor.content

        # At USA: the wrong node's descriptor, then a forged one, are refused; PAK's is pinned.
        own = usa.cli("keys", "descriptor")
        wrong = olga.post("/peers/pak.test/keys", data={"csrf": csrf(olga)},
                          files={"descriptor": ("usa.json", own)})  # fmt: skip
        assert wrong.status_code == 422
        assert "that descriptor is not pak.test&#39;s" in wrong.text
        forger = tmp_path / "forger"
        forged_keys = accord(
            "keys", "generate", "--nation", "PAK", "--name", "pak.test", home=forger
        )
        assert forged_keys.returncode == 0, forged_keys.stderr
        forged = accord("keys", "descriptor", home=forger).stdout
        refused = olga.post("/peers/pak.test/keys", data={"csrf": csrf(olga)},
                            files={"descriptor": ("pak.json", forged)})  # fmt: skip
        assert refused.status_code == 422, refused.text[-800:]
        pinned = olga.post("/peers/pak.test/keys", data={"csrf": csrf(olga)},
                           files={"descriptor": ("pak.json", descriptor.content)})  # fmt: skip
        assert pinned.status_code == 200, pinned.text[-800:]
        assert "Pinned pak.test&#39;s new descriptor." in pinned.text
        assert pinned.text.count("<td>superseded</td>") >= len(before.keys)

        # A message sealed to PAK's new keys crosses, and PAK opens it.
        page = alice.post("/release", data=RELEASE | {"label": "UNCLASSIFIED", "csrf": csrf(alice)})
        second = token_code(page.text)
        assert usa.services.delivery().run_once().delivered == 1
        babar = _signed_in(pak, "babar", "officer", "SECRET")
        assert "exercise starts at 0600" in babar.get(f"/inbox/{second}").text
        assert "exercise starts at 0600" in babar.get(f"/inbox/{first}").text  # old keys open


def test_the_key_that_signs_the_log_is_not_retired(tmp_path: Path) -> None:
    clock = FixedClock(dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC))
    with cluster(tmp_path, clock, {"USA": "usa.test"}) as nodes:
        usa = nodes["USA"]
        log_key = usa.services.keys.keys[0].id
        usa.cli("keys", "rotate")
        logged = json.loads(usa.cli("log", "list", "--kind", "key-event", "--json"))
        assert {e["entry"]["event"] for e in logged} == {"superseded", "active"}
        assert all(e["entry"]["by"].startswith("local:") for e in logged)
        refused = accord("keys", "retire", log_key, home=usa.home)
        assert refused.returncode != 0
        assert "signs the transparency log" in refused.stderr
        assert "Traceback" not in refused.stderr
