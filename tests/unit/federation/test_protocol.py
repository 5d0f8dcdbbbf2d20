"""The federation protocol, pure: signed requests and every refusal, transactions, receipts,
backoff."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import pytest

from accord.crypto.canonical import b64, canonical_json
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.keys import NodeKeys
from accord.errors import InvalidInput, PeerRefused, VerificationFailed
from accord.federation.protocol import (
    HEADER,
    decode_transaction,
    encode_transaction,
    retry_delay,
    sign_request,
    verify_request,
)
from accord.federation.receipts import Receipt, ReceiptStatus, make_receipt, verify_receipt

NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
USA = NodeKeys.generate("usa.example", "USA", NOW - dt.timedelta(days=1), mldsa=True)
PAK = NodeKeys.generate("pak.example", "PAK", NOW - dt.timedelta(days=1))
USA_PUBLIC = parse_descriptor(describe(USA, NOW).encode())
PAK_PUBLIC = parse_descriptor(describe(PAK, NOW).encode())
PATH = "/federation/v1/transactions/abcdefgh"
BODY = b'{"v":1}'
NONCE = "0" * 32


def _headers(**changes: object) -> dict[str, str]:
    arguments: dict[str, object] = {
        "destination": "pak.example",
        "method": "PUT",
        "path": PATH,
        "body": BODY,
        "now": NOW,
        "nonce": NONCE,
        **changes,
    }
    return sign_request(USA, **arguments)  # type: ignore[arg-type]


def _verify(header: str | None, **changes: object) -> object:
    arguments: dict[str, object] = {
        "receiver": "pak.example",
        "method": "PUT",
        "path": PATH,
        "body": BODY,
        "peers": {"usa.example": USA_PUBLIC},
        "now": NOW,
        "max_skew": dt.timedelta(minutes=5),
        **changes,
    }
    return verify_request(header, **arguments)  # type: ignore[arg-type]


def test_a_signed_request_verifies() -> None:
    verified = _verify(_headers()[HEADER])
    assert verified.origin.node == "usa.example"  # type: ignore[attr-defined]
    assert verified.nonce == NONCE  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"receiver": "ind.example"}, "not ind.example"),
        ({"method": "POST"}, "another method or path"),
        ({"path": "/federation/v1/transactions/other123"}, "another method or path"),
        ({"body": b'{"v":2}'}, "digest"),
        ({"peers": {}}, "not a peer"),
        ({"now": NOW + dt.timedelta(minutes=6)}, "too far"),
    ],
)
def test_each_mismatch_is_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(PeerRefused, match=words):
        _verify(_headers()[HEADER], **changes)


def _edited(header: str, **fields: object) -> str:
    value = json.loads(base64.b64decode(header))
    value.update(fields)
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(canonical.encode()).decode()


def test_a_forged_or_broken_header_is_refused() -> None:
    header = _headers()[HEADER]
    with pytest.raises(PeerRefused, match="signature does not verify"):
        _verify(_edited(header, nonce="1" * 32))
    # Only the Ed25519 half: the sender also has an ML-DSA key, so both are required.
    value = json.loads(base64.b64decode(header))
    halved = [s for s in value["signatures"] if s["alg"] == "ed25519"]
    with pytest.raises(PeerRefused, match="signature does not verify"):
        _verify(_edited(header, signatures=halved))
    # Not canonical: the same fields with a space, or a newline after them.
    spaced = json.dumps(json.loads(base64.b64decode(header)), sort_keys=True).encode()
    for extra in (
        base64.b64encode(spaced).decode(),
        base64.b64encode(base64.b64decode(header) + b"\n").decode(),
    ):
        with pytest.raises(PeerRefused, match="not canonical"):
            _verify(extra)
    for broken in (None, "not base64!", base64.b64encode(b"[1]").decode(), "A" * 20000):
        with pytest.raises(PeerRefused):
            _verify(broken)
    with pytest.raises(PeerRefused, match="nonce"):
        _verify(_headers(nonce="short")[HEADER])
    # Signed by PAK's keys but claiming to come from USA.
    forged = sign_request(
        PAK, destination="pak.example", method="PUT", path=PATH, body=BODY, now=NOW, nonce=NONCE
    )[HEADER]
    with pytest.raises(PeerRefused):
        _verify(_edited(forged, origin="usa.example"))


M1 = "00000000-0000-4000-8000-000000000001"
M2 = "00000000-0000-4000-8000-000000000002"


def test_transactions_round_trip_and_bad_ones_are_refused() -> None:
    body = encode_transaction("abcdefgh", [(M1, b"sealed one"), (M2, b"sealed two")])
    assert decode_transaction("abcdefgh", body, max_envelope=1024) == [
        (M1, b"sealed one"),
        (M2, b"sealed two"),
    ]
    with pytest.raises(InvalidInput, match="does not match its URL"):
        decode_transaction("otherone", body, max_envelope=1024)
    with pytest.raises(InvalidInput, match="base64 of at most 4 bytes"):
        decode_transaction("abcdefgh", body, max_envelope=4)
    twice = encode_transaction("abcdefgh", [(M1, b"a"), (M1, b"b")])
    with pytest.raises(InvalidInput, match="each envelope once"):
        decode_transaction("abcdefgh", twice, max_envelope=1024)
    for bad in (b"[]", b"{", b'{"v":1,"txn":"abcdefgh","envelopes":[]}'):
        with pytest.raises(InvalidInput):
            decode_transaction("abcdefgh", bad, max_envelope=1024)
    with pytest.raises(InvalidInput, match="transaction id"):
        decode_transaction("bad id!", body, max_envelope=1024)
    # Ids are UUIDs (a lone surrogate never reaches the database); base64 is canonical.
    for envelope_id, encoded in (
        (r"\ud800", "AAAA"),
        ("m1", "AAAA"),
        (M1, "AAAA===="),
        (M1, "AAB="),
    ):
        item = f'{{"envelope":"{encoded}","id":"{envelope_id}"}}'
        bad = f'{{"envelopes":[{item}],"txn":"abcdefgh","v":1}}'.encode()
        with pytest.raises(InvalidInput, match=r"\[0\]"):
            decode_transaction("abcdefgh", bad, max_envelope=1024)


def test_receipts_bind_the_receiver_to_exactly_one_envelope() -> None:
    receipt = make_receipt(
        PAK,
        envelope_id="m1",
        envelope=b"sealed",
        sender="usa.example",
        accepted=True,
        reason="",
        log_index=7,
        now=NOW,
    )
    wire = receipt.to_dict()
    verified = verify_receipt(wire, receiver=PAK_PUBLIC, envelope_id="m1", envelope=b"sealed")
    assert verified == receipt
    assert verified.accepted
    assert verified.log_index == 7
    for value, receiver, envelope_id, envelope in [
        (wire, PAK_PUBLIC, "m2", b"sealed"),
        (wire, PAK_PUBLIC, "m1", b"other"),
        (wire, USA_PUBLIC, "m1", b"sealed"),
        ({**wire, "status": "rejected"}, PAK_PUBLIC, "m1", b"sealed"),
        ({**wire, "extra": 1}, PAK_PUBLIC, "m1", b"sealed"),
        ({**wire, "at": "2024-06-01 09:00:00"}, PAK_PUBLIC, "m1", b"sealed"),
        ({**wire, "log_index": True}, PAK_PUBLIC, "m1", b"sealed"),
        ("nonsense", PAK_PUBLIC, "m1", b"sealed"),
    ]:
        with pytest.raises(VerificationFailed, match="receipt does not verify"):
            verify_receipt(value, receiver=receiver, envelope_id=envelope_id, envelope=envelope)


def test_a_receipt_round_trips() -> None:
    receipt = make_receipt(
        PAK,
        envelope_id="m1",
        envelope=b"sealed",
        sender="usa.example",
        accepted=False,
        reason="refused: no agreement",
        log_index=None,
        now=NOW + dt.timedelta(microseconds=5),  # the wire keeps whole seconds
    )
    assert receipt.status is ReceiptStatus.REJECTED
    assert receipt.at == NOW
    assert Receipt.from_dict(receipt.to_dict()) == receipt
    assert Receipt.from_dict(json.loads(json.dumps(receipt.to_dict()))) == receipt


def test_backoff_grows_to_its_cap_with_bounded_jitter() -> None:
    assert retry_delay(0, 0.0) == 0.5
    assert retry_delay(0, 0.999) < 1.0
    assert retry_delay(3, 0.0) == 4.0
    assert retry_delay(40, 0.999) <= 300.0
    assert retry_delay(40, 0.0) == 150.0
    with pytest.raises(ValueError, match="jitter"):
        retry_delay(1, 1.0)


def test_a_transaction_body_is_the_canonical_json_of_its_members() -> None:
    envelopes = [(str(uuid.uuid4()), bytes(range(i, i + 40))) for i in range(5)]
    body = encode_transaction("txn-0001", envelopes)
    assert body == canonical_json(
        {
            "v": 1,
            "txn": "txn-0001",
            "envelopes": [{"id": i, "envelope": b64(e)} for i, e in envelopes],
        }
    )
    assert decode_transaction("txn-0001", body, max_envelope=1024) == envelopes
    with pytest.raises(InvalidInput, match="lower-case UUID"):
        encode_transaction("txn-0001", [('x", "injected": "', b"")])
    with pytest.raises(InvalidInput, match="transaction id"):
        encode_transaction('t"xn-0001', envelopes)
