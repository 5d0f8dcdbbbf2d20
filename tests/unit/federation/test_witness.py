"""The witness exchange's typed values: round trips, and every verification refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.keys import NodeKeys
from accord.crypto.statements import sign_statement, verify_statement
from accord.errors import InvalidInput, VerificationFailed
from accord.federation.witness import (
    WitnessAnswer,
    decode_witness_request,
    encode_witness_request,
    sign_witness_answer,
    verify_witness_answer,
)

NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
PAK = NodeKeys.generate("pak.example", "PAK", NOW - dt.timedelta(days=1), mldsa=True)
IND = NodeKeys.generate("ind.example", "IND", NOW - dt.timedelta(days=1))
PAK_PUBLIC = parse_descriptor(describe(PAK, NOW).encode())
IND_PUBLIC = parse_descriptor(describe(IND, NOW).encode())


def _answer() -> WitnessAnswer:
    return sign_witness_answer(
        PAK,
        origin="usa.example/log",
        witness_key="pak.example+abcd+AAAA",
        witnessed_size=12,
        cosignature="— pak.example abc\n",
    )


def test_a_witness_answer_round_trips_and_verifies() -> None:
    answer = _answer()
    assert WitnessAnswer.from_dict(answer.to_dict()) == answer
    verified = verify_witness_answer(answer.to_dict(), witness=PAK_PUBLIC, origin="usa.example/log")
    assert verified == answer


@pytest.mark.parametrize(
    ("change", "witness", "origin"),
    [
        ({}, IND_PUBLIC, "usa.example/log"),  # signed by another node
        ({}, PAK_PUBLIC, "ind.example/log"),  # about another log
        ({"witnessed_size": 13}, PAK_PUBLIC, "usa.example/log"),  # changed after signing
        ({"witnessed_size": -1}, PAK_PUBLIC, "usa.example/log"),
        ({"extra": 1}, PAK_PUBLIC, "usa.example/log"),
        ({"signatures": []}, PAK_PUBLIC, "usa.example/log"),
    ],
)
def test_a_witness_answer_that_does_not_verify_is_refused(change, witness, origin) -> None:
    with pytest.raises(VerificationFailed, match="witness answer does not verify"):
        verify_witness_answer({**_answer().to_dict(), **change}, witness=witness, origin=origin)


def test_a_witness_request_round_trips_and_refuses_malformed_ones() -> None:
    body = encode_witness_request("usa.example/log+ab+CD", "note", 3, [b"\x01" * 32])
    assert decode_witness_request(body) == ("usa.example/log+ab+CD", "note", 3, [b"\x01" * 32])
    with pytest.raises(InvalidInput):
        decode_witness_request(b'{"v":1}')


def test_a_hybrid_statement_needs_both_halves() -> None:
    body = {"v": 1, "what": "test"}
    signatures = sign_statement(PAK, b"test/1", body)
    verify_statement(PAK_PUBLIC, b"test/1", body, signatures, at=NOW, what="the test")
    ed25519_only = [s for s in signatures if s["alg"] == "ed25519"]
    with pytest.raises(VerificationFailed, match="missing a required signature"):
        verify_statement(PAK_PUBLIC, b"test/1", body, ed25519_only, at=NOW, what="the test")
    with pytest.raises(VerificationFailed, match="does not verify"):
        verify_statement(PAK_PUBLIC, b"other/1", body, signatures, at=NOW, what="the test")
