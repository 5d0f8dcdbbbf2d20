"""Federation wire protocol, version 1 (docs/federation.md).

**Signed requests.** Every request a node sends to a peer carries one header, ``Accord-Request``:
the base64 of the canonical JSON of ``{origin, destination, method, path, digest, timestamp,
nonce, signatures}``, where ``digest`` is the SHA-256 (hex) of the body, ``timestamp`` Unix seconds
and ``nonce`` 32 random hex digits, signed as a statement (``accord.crypto.statements``) under the
domain ``accord/federation-request/1``. The receiver refuses an unknown origin, another
destination, another method or path, a body that does not match the digest, a timestamp further
than the allowed skew from its own clock, and a signature set that does not verify; it refuses a
nonce it has seen (the node keeps them for twice the skew).

**Transactions.** ``PUT /federation/v1/transactions/{txn}`` carries ``{"v": 1, "txn": txn,
"envelopes": [{"id": ..., "envelope": <base64 of the sealed envelope>}]}``. The answer carries one
signed receipt per envelope, in order.

**Receipts** are in ``federation.receipts``, the **witness** exchange in ``federation.witness``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.crypto.canonical import b64, canonical_json, loads_signed, unb64
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.envelope import ENVELOPE_ID
from accord.crypto.keys import NodeKeys
from accord.crypto.statements import sign_statement, verify_statement
from accord.errors import InvalidInput, PeerRefused, VerificationFailed

VERSION = 1
HEADER = "Accord-Request"
REQUEST_DOMAIN = b"accord/federation-request/1"
MAX_HEADER_BYTES = 16 * 1024
MAX_ENVELOPES_PER_TRANSACTION = 64
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)
_TXN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_REQUEST_FIELDS = {
    "origin",
    "destination",
    "method",
    "path",
    "digest",
    "timestamp",
    "nonce",
    "signatures",
}


# -- signed requests ---------------------------------------------------------------------------


def sign_request(
    keys: NodeKeys,
    *,
    destination: str,
    method: str,
    path: str,
    body: bytes,
    now: dt.datetime,
    nonce: str,
) -> dict[str, str]:
    """The header that authenticates one request from this node to ``destination``."""
    fields: dict[str, Any] = {
        "origin": keys.node,
        "destination": destination,
        "method": method.upper(),
        "path": path,
        "digest": hashlib.sha256(body).hexdigest(),
        "timestamp": int(now.timestamp()),
        "nonce": nonce,
    }
    signed = {**fields, "signatures": sign_statement(keys, REQUEST_DOMAIN, fields)}
    return {HEADER: b64(canonical_json(signed))}


@dataclass(frozen=True, slots=True)
class VerifiedRequest:
    """A request whose header verified: its origin, nonce, time and the body digest it signed
    (the body itself is checked against ``digest`` by ``check_body`` once it has been read)."""

    origin: NodeDescriptor
    nonce: str
    timestamp: int
    digest: str = ""


def verify_request_header(
    header: str | None,
    *,
    receiver: str,
    method: str,
    path: str,
    peers: Mapping[str, NodeDescriptor],
    now: dt.datetime,
    max_skew: dt.timedelta,
) -> VerifiedRequest:
    """Check one incoming request's header before a byte of its body is read (docs/federation.md,
    "Signed requests"); the nonce's freshness is the caller's to check, the body's digest
    ``check_body``'s."""
    if header is None:
        raise PeerRefused(f"a federation request carries the {HEADER} header")
    if len(header) > MAX_HEADER_BYTES:
        raise PeerRefused(f"the {HEADER} header is too large")
    try:
        raw = unb64(header, f"the {HEADER} header", max_bytes=MAX_HEADER_BYTES)
        signed = loads_signed(raw, canonical=True)
        # One spelling: the header is the canonical JSON of its fields (no whitespace, sorted
        # keys), so no two headers carry the same signed request.
        canonical = canonical_json(signed, checked=True)
    except InvalidInput:
        raise PeerRefused(f"the {HEADER} header is not base64 of a JSON object") from None
    if canonical != raw:
        raise PeerRefused(f"the {HEADER} header is not canonical JSON (RFC 8785)")
    if not isinstance(signed, dict) or set(signed) != _REQUEST_FIELDS:
        raise PeerRefused(f"the {HEADER} header has exactly {', '.join(sorted(_REQUEST_FIELDS))}")
    if not all(type(signed[k]) is str for k in _REQUEST_FIELDS - {"timestamp", "signatures"}):
        raise PeerRefused(f"the {HEADER} header's fields are text, its timestamp an integer")
    origin = peers.get(signed["origin"])
    if origin is None:
        raise PeerRefused(f"{signed['origin'][:64]!r} is not a peer of this node")
    if signed["destination"] != receiver:
        raise PeerRefused(f"the request is for {signed['destination'][:64]!r}, not {receiver}")
    if signed["method"] != method.upper() or signed["path"] != path:
        raise PeerRefused("the request was signed for another method or path")
    if not _DIGEST.fullmatch(signed["digest"]):
        raise PeerRefused("the request digest is 64 lower-case hex digits")
    timestamp, nonce = signed["timestamp"], signed["nonce"]
    if type(timestamp) is not int:
        raise PeerRefused("the request timestamp is an integer")
    if abs(now.timestamp() - timestamp) > max_skew.total_seconds():
        raise PeerRefused("the request timestamp is too far from this node's clock")
    if not _NONCE.match(nonce):
        raise PeerRefused("the request nonce is 32 hex digits")
    fields = {k: v for k, v in signed.items() if k != "signatures"}
    at = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    try:
        verify_statement(
            origin, REQUEST_DOMAIN, fields, signed["signatures"], at=at, what="the request"
        )
    except VerificationFailed:
        raise PeerRefused("the request signature does not verify") from None
    return VerifiedRequest(origin=origin, nonce=nonce, timestamp=timestamp, digest=signed["digest"])


def check_body(request: VerifiedRequest, digest: str) -> None:
    """The body read (its SHA-256, hex) is the one the request signed."""
    if digest != request.digest:
        raise PeerRefused("the body does not match the signed digest")


def verify_request(
    header: str | None,
    *,
    receiver: str,
    method: str,
    path: str,
    body: bytes,
    peers: Mapping[str, NodeDescriptor],
    now: dt.datetime,
    max_skew: dt.timedelta,
) -> VerifiedRequest:
    """``verify_request_header`` and ``check_body`` for a body already in memory."""
    request = verify_request_header(
        header,
        receiver=receiver,
        method=method,
        path=path,
        peers=peers,
        now=now,
        max_skew=max_skew,
    )
    check_body(request, hashlib.sha256(body).hexdigest())
    return request


# -- transactions ------------------------------------------------------------------------------


def check_transaction_id(txn: str) -> str:
    if not _TXN.match(txn):
        raise InvalidInput("a transaction id is 8 to 64 letters, digits, '-' or '_'")
    return txn


def encode_transaction(txn: str, envelopes: list[tuple[str, bytes]]) -> bytes:
    """The canonical JSON (RFC 8785) of ``{"v", "txn", "envelopes": [{"id", "envelope"}]}``,
    written directly: every string in it is ASCII that JSON does not escape (a checked
    transaction id, lower-case UUIDs, base64), so the members in sorted order, without
    whitespace, are the canonical form, and the encoder need not scan some 100 KiB of base64 per
    transaction for characters to escape."""
    check_transaction_id(txn)
    items = []
    for envelope_id, envelope in envelopes:
        if not ENVELOPE_ID.fullmatch(envelope_id):
            raise InvalidInput("an envelope id is a lower-case UUID")
        items.append(f'{{"envelope":"{b64(envelope)}","id":"{envelope_id}"}}')
    return f'{{"envelopes":[{",".join(items)}],"txn":"{txn}","v":{VERSION}}}'.encode("ascii")


def decode_transaction(txn: str, body: bytes, *, max_envelope: int) -> list[tuple[str, bytes]]:
    """The ``(id, envelope bytes)`` pairs of a transaction body, checked against its URL."""
    check_transaction_id(txn)
    try:
        value = loads_signed(body)
    except InvalidInput:
        raise InvalidInput("a transaction is a JSON object") from None
    if not isinstance(value, dict) or set(value) != {"v", "txn", "envelopes"}:
        raise InvalidInput("a transaction has exactly v, txn and envelopes")
    if value["v"] != VERSION or value["txn"] != txn:
        raise InvalidInput("the transaction's version or id does not match its URL")
    items = value["envelopes"]
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ENVELOPES_PER_TRANSACTION:
        raise InvalidInput(f"a transaction has 1 to {MAX_ENVELOPES_PER_TRANSACTION} envelopes")
    out: list[tuple[str, bytes]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"id", "envelope"}:
            raise InvalidInput("an envelope item has exactly id and envelope", field=f"[{index}]")
        envelope_id = item["id"]
        if not isinstance(envelope_id, str) or not ENVELOPE_ID.fullmatch(envelope_id):
            raise InvalidInput("an envelope id is a lower-case UUID", field=f"[{index}].id")
        try:
            data = unb64(item["envelope"], "an envelope", max_bytes=max_envelope)
        except InvalidInput as e:
            raise e.at(field_prefix=f"[{index}].envelope") from None
        out.append((envelope_id, data))
    if len({i for i, _ in out}) != len(out):
        raise InvalidInput("a transaction names each envelope once")
    return out


# -- delivery backoff --------------------------------------------------------------------------


def retry_delay(attempts: int, jitter: float, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds before the next attempt after ``attempts`` failures: exponential, capped, with
    "equal jitter" (half fixed, half random; ``jitter`` in [0, 1)) so that nodes whose peer came
    back do not all retry at the same instant."""
    if attempts < 0 or not 0.0 <= jitter < 1.0:
        raise ValueError("attempts >= 0 and 0 <= jitter < 1")
    ceiling = min(cap, base * 2.0 ** min(attempts, 32))
    return ceiling / 2 + ceiling / 2 * jitter
