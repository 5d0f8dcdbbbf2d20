"""Hostile input at the federation routes, as a partner's red team would send it: every one gets
the exact refusal it should (401 for a request that does not authenticate, 4xx with a JSON body
for a malformed one, a signed rejected receipt for a bad envelope inside a good request), never a
500; and one bad envelope never takes down the good ones beside it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import Release, recipients_of, seal
from accord.crypto.keys import NodeKeys
from accord.federation.protocol import (
    HEADER,
    encode_transaction,
    sign_request,
)
from accord.federation.receipts import verify_receipt
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.json_form import label_to_dict
from accord.labels.national import national_policy
from accord.node import keys as key_files
from accord.node.services import NodeServices
from tests.support.api import CLOCK, initialised

NOW = CLOCK.now()
PATH = "/federation/v1/transactions/"
UNCLASSIFIED = label_to_dict(banner_to_label(parse_banner("UNCLASSIFIED"), national_policy("USA")))


class Receiver:
    """PAK's node in process, with USA pinned as a peer whose keys the test holds."""

    def __init__(self, client: TestClient, usa: NodeKeys, pak: NodeKeys) -> None:
        self.client, self.usa, self.pak = client, usa, pak
        self.pak_public = parse_descriptor(describe(pak, NOW).encode())

    def envelope(self, *, cbor: bool = False, **release: Any) -> tuple[str, bytes]:
        out = io.BytesIO()
        fields: dict[str, Any] = {
            "label": UNCLASSIFIED,
            "capability": "secure-communications",
            "activity": "joint-exercises",
            **release,
        }
        sealed = seal(
            io.BytesIO(b"exercise starts at 0600"),
            out,
            sender=self.usa,
            recipients=recipients_of(self.pak_public),
            release=Release(**fields),
            now=NOW,
            cbor=cbor,
        )
        return sealed.id, out.getvalue()

    def put(
        self, body: bytes, *, txn: str | None = None, header: str | None = None
    ) -> tuple[int, Any]:
        txn = txn or secrets.token_hex(8)
        path = PATH + txn
        if header is None:
            header = sign_request(
                self.usa,
                destination="pak.example",
                method="PUT",
                path=path,
                body=body,
                now=NOW,
                nonce=secrets.token_hex(16),
            )[HEADER]
        answer = self.client.put(path, content=body, headers={HEADER: header.encode()})
        return answer.status_code, answer.json()

    def transaction(self, envelopes: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
        txn = secrets.token_hex(8)
        status, answer = self.put(encode_transaction(txn, envelopes), txn=txn)
        assert status == 200, answer
        receipts: list[dict[str, Any]] = answer["receipts"]
        for (envelope_id, envelope), receipt in zip(envelopes, receipts, strict=True):
            verify_receipt(
                receipt, receiver=self.pak_public, envelope_id=envelope_id, envelope=envelope
            )
        return receipts


@pytest.fixture
def receiver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[Receiver]:
    settings = initialised(tmp_path / "pak", monkeypatch, database_url)
    pak = NodeKeys.generate("pak.example", "PAK", NOW)
    usa = NodeKeys.generate("usa.example", "USA", NOW)
    key_files.save_key_set(settings, pak, new=True)
    node = NodeServices.open(settings, CLOCK)
    try:
        node.peers().add(describe(usa, NOW).encode(), "http://127.0.0.1:9")
    finally:
        node.close()
    with TestClient(create_app(settings, CLOCK), raise_server_exceptions=False) as client:
        yield Receiver(client, usa, pak)


def _mangled(envelope: bytes, change: Any) -> bytes:
    """The JSON envelope with its opening record changed by ``change`` (not re-signed)."""
    lines = envelope.split(b"\n")
    opening = json.loads(lines[0])
    change(opening)
    lines[0] = json.dumps(opening, sort_keys=True, separators=(",", ":")).encode()
    return b"\n".join(lines)


def _closing(envelope: bytes, change: Any) -> bytes:
    lines = envelope.split(b"\n")
    closing = json.loads(lines[-2])
    change(closing)
    lines[-2] = json.dumps(closing, sort_keys=True, separators=(",", ":")).encode()
    return b"\n".join(lines)


@pytest.mark.parametrize(
    "header",
    [
        "AAAA====",  # base64 with extra padding (a 500 before)
        "not base64!",
        base64.b64encode(b"[1]").decode(),
        base64.b64encode(b'{"origin": 1}').decode(),
        "A" * 20_000,
        "\u00e9",
    ],
)
def test_a_request_that_does_not_authenticate_is_401(receiver: Receiver, header: str) -> None:
    status, answer = receiver.put(b"{}", header=header)
    assert status == 401
    assert answer["error"] == "federation-refused"
    assert receiver.client.post("/federation/v1/witness", content=b"{}").status_code == 401


def test_a_signed_field_of_a_request_holding_odd_base64_is_401(receiver: Receiver) -> None:
    body = b"{}"
    header = sign_request(
        receiver.usa,
        destination="pak.example",
        method="PUT",
        path=PATH + "abcdefgh",
        body=body,
        now=NOW,
        nonce=secrets.token_hex(16),
    )[HEADER]
    signed = json.loads(base64.b64decode(header))
    signed["signatures"][0]["sig"] = "AAAA===="
    forged = base64.b64encode(json.dumps(signed).encode()).decode()
    status, answer = receiver.put(body, txn="abcdefgh", header=forged)
    assert (status, answer["error"]) == (401, "federation-refused")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"v":1}',
        b"{" * 10_000,
        b'{"v":1,"txn":"TXN","envelopes":[{"id":"x","envelope":1}]}',
        b'{"v":1,"txn":"TXN","envelopes":[{"id":"\\ud800","envelope":"AAAA"}]}',
        b'{"v":1,"txn":"TXN","envelopes":[{"id":"00000000-0000-4000-8000-000000000001",'
        b'"envelope":"AAAA===="}]}',
        b'{"v":1,"txn":"TXN","envelopes":[]}',
        b'{"v":1e400,"txn":"TXN","envelopes":[]}',
        b'{"v":' + b"9" * 5000 + b',"txn":"TXN","envelopes":[]}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_transaction_in_a_signed_request_is_422(
    receiver: Receiver, body: bytes
) -> None:
    txn = secrets.token_hex(8)
    status, answer = receiver.put(body.replace(b"TXN", txn.encode()), txn=txn)
    assert status == 422, answer
    assert answer["error"] == "invalid-input"


def test_each_bad_envelope_gets_its_own_rejected_receipt_and_the_good_ones_are_taken(
    receiver: Receiver,
) -> None:
    good_id, good = receiver.envelope()
    good_cbor_id, good_cbor = receiver.envelope(cbor=True)
    null_id, null_activity = receiver.envelope(activity=None)
    new_id, new_activity = receiver.envelope(activity="space-operations")
    unknown_id, unknown_capability = receiver.envelope(capability="quantum-links")
    odd_id, odd = receiver.envelope()
    odd_sig = _closing(odd, lambda c: c["signatures"][0].update(sig="AAAA===="))
    wrapped_id, wrapped = receiver.envelope()
    odd_wrapped = _mangled(wrapped, lambda o: o["keys"][0].update(wrapped="AAAA===="))
    suite_id, suite = receiver.envelope()
    list_suite = _mangled(suite, lambda o: o["header"].update(suite=[]))
    map_suite_id, map_suite = receiver.envelope()
    dict_suite = _mangled(map_suite, lambda o: o["header"].update(suite={}))
    tagged_id, tagged_source = receiver.envelope(cbor=True)
    stream = io.BytesIO(tagged_source)
    record = cbor2.CBORDecoder(stream).decode()
    record["header"]["label"] = {"policy": cbor2.CBORTag(36, "Content-Type: text/plain\n\nx")}
    tagged = cbor2.dumps(record, canonical=True) + tagged_source[stream.tell() :]
    batch = [
        (good_id, good),
        (null_id, null_activity),
        (new_id, new_activity),
        (unknown_id, unknown_capability),
        (odd_id, odd_sig),
        (wrapped_id, odd_wrapped),
        (suite_id, list_suite),
        (map_suite_id, dict_suite),
        (tagged_id, tagged),
        (good_cbor_id, good_cbor),
    ]
    receipts = receiver.transaction(batch)
    by_id = {r["envelope"]: r for r in receipts}
    assert by_id[good_id]["status"] == "accepted"
    assert by_id[good_cbor_id]["status"] == "accepted"
    assert "names no activity" in by_id[null_id]["reason"]
    assert "does not know the activity space-operations" in by_id[new_id]["reason"]
    assert "quantum-links" in by_id[unknown_id]["reason"]
    for bad in (odd_id, wrapped_id, suite_id, map_suite_id, tagged_id):
        assert by_id[bad]["status"] == "rejected"
        assert by_id[bad]["reason"] in (
            "the envelope does not verify",
            "the envelope is refused: not an Accord envelope",  # no sender could be read
        ), bad
    for refused in (null_id, new_id, unknown_id):
        assert by_id[refused]["status"] == "rejected"
    # The same batch again: the same receipts, and nothing stored twice.
    assert receiver.transaction(batch) == receipts


def test_a_request_over_its_limit_is_refused_before_it_is_read(receiver: Receiver) -> None:
    huge = b"x" * (33 * 1024 * 1024)
    answer = receiver.client.put(PATH + "abcdefgh", content=huge)
    assert answer.status_code == 413
    answer = receiver.client.post(
        "/federation/v1/witness", content=b"x" * (65 * 1024), headers={HEADER: "AAAA"}
    )
    assert answer.status_code == 413


def test_a_signed_witness_request_over_its_limit_is_413(receiver: Receiver) -> None:
    body = b" " * (64 * 1024 + 1)
    header = sign_request(
        receiver.usa,
        destination="pak.example",
        method="POST",
        path="/federation/v1/witness",
        body=body,
        now=NOW,
        nonce=secrets.token_hex(16),
    )[HEADER]

    def chunks() -> Iterator[bytes]:  # chunked: no Content-Length announces the size
        yield body[:1000]
        yield body[1000:]

    answer = receiver.client.post(
        "/federation/v1/witness", content=chunks(), headers={HEADER: header}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too-large"


def test_a_stale_or_replayed_request_is_401(receiver: Receiver) -> None:
    _, good = receiver.envelope()
    txn = secrets.token_hex(8)
    body = encode_transaction(txn, [(receiver.envelope()[0], good)])
    header = sign_request(
        receiver.usa,
        destination="pak.example",
        method="PUT",
        path=PATH + txn,
        body=body,
        now=NOW - dt.timedelta(hours=1),
        nonce=secrets.token_hex(16),
    )[HEADER]
    status, answer = receiver.put(body, txn=txn, header=header)
    assert (status, answer["error"]) == (401, "federation-refused")
