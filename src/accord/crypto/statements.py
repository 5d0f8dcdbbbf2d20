"""Signed statements between nodes: a JSON object signed by every active signing key of its
author, checked against the author's pinned descriptor.

What a node says to another (a federation request, a receipt) is the RFC 8785 bytes of an object,
prefixed by a domain string naming what kind of statement it is (so a signature on one kind can
never be replayed as another). The author signs with each active signing key; the reader requires
a valid signature by an Ed25519 key and by every algorithm the author has an active key for
(ML-DSA-65 when configured): a hybrid signature is only as strong as its weakest required half,
the same rule the envelope applies (docs/envelope.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from accord.crypto.canonical import canonical_json, unb64
from accord.crypto.descriptor import NodeDescriptor, check_signature
from accord.crypto.keys import NodeKeys
from accord.errors import InvalidInput, VerificationFailed

MAX_SIGNATURES = 4


def statement_bytes(domain: bytes, body: dict[str, Any]) -> bytes:
    return domain + b"\n" + canonical_json(body)


def sign_statement(keys: NodeKeys, domain: bytes, body: dict[str, Any]) -> list[dict[str, str]]:
    return keys.sign(statement_bytes(domain, body))


def verify_statement(
    author: NodeDescriptor,
    domain: bytes,
    body: dict[str, Any],
    signatures: Sequence[object],
    *,
    at: dt.datetime,
    what: str,
) -> None:
    """``signatures`` are a complete, valid set by ``author`` on ``body`` at time ``at``; else
    :class:`VerificationFailed` naming ``what``. Any malformed, unknown, retired, revoked or
    out-of-validity signature, or two by one key, makes the whole set invalid: a set is
    accepted whole or not at all."""
    refused = VerificationFailed(f"the signatures on {what} do not verify")
    if not isinstance(signatures, (list, tuple)) or not 0 < len(signatures) <= MAX_SIGNATURES:
        raise refused
    try:
        message = statement_bytes(domain, body)
    except InvalidInput:
        raise refused from None
    usable = {k.id: k for k in author.usable_signing_keys()}
    verified: set[str] = set()
    named = [s.get("key") if isinstance(s, dict) else None for s in signatures]
    if len(set(map(str, named))) != len(named):
        raise refused  # one signature per key: a repeated one is not a second signature
    for signature in signatures:
        if not isinstance(signature, dict) or signature.keys() != {"key", "alg", "sig"}:
            raise refused
        signer = usable.get(str(signature.get("key")))
        if signer is None or signer.algorithm != signature.get("alg") or not signer.valid_at(at):
            raise refused
        try:
            value = unb64(signature.get("sig"), "signature", max_bytes=8192)
        except InvalidInput:
            raise refused from None
        check_signature(signer, value, message, what)
        verified.add(signer.algorithm)
    author.check_complete(verified, what)
