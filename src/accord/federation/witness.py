"""The witness exchange (docs/federation.md, "Witnessing"): a node asks a peer to cosign its
latest checkpoint, consistent with the one the peer last cosigned; the peer answers with its
cosignature line and its witness key, signed by its node keys under
``accord/federation-witness/1``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from accord.crypto.canonical import canonical_json, loads_signed
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.keys import NodeKeys
from accord.crypto.statements import sign_statement, verify_statement
from accord.crypto.timestamps import parse_time
from accord.errors import InvalidInput, VerificationFailed

VERSION = 1
WITNESS_DOMAIN = b"accord/federation-witness/1"
_WITNESS_FIELDS = {"v", "origin", "witness", "witness_key", "witnessed_size", "cosignature"}


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessAnswer:
    origin: str
    witness: str
    witness_key: str
    witnessed_size: int
    #: The cosignature line, or "" when the witness holds a larger size than asked from.
    cosignature: str
    signatures: tuple[dict[str, str], ...]

    def body(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "origin": self.origin,
            "witness": self.witness,
            "witness_key": self.witness_key,
            "witnessed_size": self.witnessed_size,
            "cosignature": self.cosignature,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "signatures": [dict(s) for s in self.signatures]}

    @classmethod
    def from_dict(cls, value: object) -> WitnessAnswer:
        if not isinstance(value, dict) or set(value) != _WITNESS_FIELDS | {"signatures"}:
            raise InvalidInput("a witness answer has exactly the fields of docs/federation.md")
        size = value["witnessed_size"]
        if (
            value["v"] != VERSION
            or not all(
                isinstance(value[k], str)
                for k in ("origin", "witness", "witness_key", "cosignature")
            )
            or not isinstance(size, int)
            or isinstance(size, bool)
            or size < 0
            or not isinstance(value["signatures"], list)
            or not all(isinstance(s, dict) for s in value["signatures"])
        ):
            raise InvalidInput("a malformed witness answer")
        return cls(
            origin=value["origin"],
            witness=value["witness"],
            witness_key=value["witness_key"],
            witnessed_size=size,
            cosignature=value["cosignature"],
            signatures=tuple(value["signatures"]),
        )


def encode_witness_request(
    log_key: str, checkpoint: str, old_size: int, proof: list[bytes]
) -> bytes:
    """``POST /federation/v1/witness``: cosign this checkpoint of my log, consistent with the
    one you last cosigned (``old_size``; the proof runs from there)."""
    return canonical_json(
        {
            "v": VERSION,
            "log_key": log_key,
            "checkpoint": checkpoint,
            "old_size": old_size,
            "proof": [p.hex() for p in proof],
        }
    )


def decode_witness_request(body: bytes) -> tuple[str, str, int, list[bytes]]:
    try:
        value = loads_signed(body)
    except InvalidInput:
        raise InvalidInput("a witness request is a JSON object") from None
    if not isinstance(value, dict) or set(value) != {
        "v",
        "log_key",
        "checkpoint",
        "old_size",
        "proof",
    }:
        raise InvalidInput("a witness request has exactly v, log_key, checkpoint, old_size, proof")
    proof = value["proof"]
    if (
        value["v"] != VERSION
        or not isinstance(value["log_key"], str)
        or not isinstance(value["checkpoint"], str)
        or len(value["checkpoint"]) > 8192
        or not isinstance(value["old_size"], int)
        or value["old_size"] < 0
        or not isinstance(proof, list)
        or len(proof) > 128
        or not all(isinstance(p, str) and re.fullmatch(r"[0-9a-f]{64}", p) for p in proof)
    ):
        raise InvalidInput("a malformed witness request")
    return (
        value["log_key"],
        value["checkpoint"],
        value["old_size"],
        [bytes.fromhex(p) for p in proof],
    )


def sign_witness_answer(
    keys: NodeKeys,
    *,
    origin: str,
    witness_key: str,
    witnessed_size: int,
    cosignature: str,
) -> WitnessAnswer:
    """The witness's answer, signed by its node keys: this authenticates its witness key (and the
    cosignature it made with it) to a partner who pinned the node's descriptor."""
    unsigned = WitnessAnswer(
        origin=origin,
        witness=keys.node,
        witness_key=witness_key,
        witnessed_size=witnessed_size,
        cosignature=cosignature,
        signatures=(),
    )
    signatures = sign_statement(keys, WITNESS_DOMAIN, unsigned.body())
    return replace(unsigned, signatures=tuple(signatures))


def verify_witness_answer(value: object, *, witness: NodeDescriptor, origin: str) -> WitnessAnswer:
    """``witness``'s signed answer about the log ``origin``, or :class:`VerificationFailed`."""
    refused = VerificationFailed(f"{witness.node}'s witness answer does not verify")
    try:
        answer = WitnessAnswer.from_dict(value)
        at = parse_time(witness.issued, "a descriptor's issued")
    except InvalidInput:
        raise refused from None
    if answer.witness != witness.node or answer.origin != origin:
        raise refused
    try:
        verify_statement(
            witness,
            WITNESS_DOMAIN,
            answer.body(),
            answer.signatures,
            at=at,
            what=f"{witness.node}'s witness answer",
        )
    except VerificationFailed:
        raise refused from None
    return answer
