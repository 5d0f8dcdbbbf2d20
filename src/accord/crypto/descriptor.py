"""Node descriptors: a node's name, nation and public keys, signed by the node; partners pin them.

::

    {"descriptor": {"format": "accord.descriptor/1", "node": "usa.example", "nation": "USA",
                    "issued": "2026-11-22T08:00:00Z", "keys": [<public key records>]},
     "signatures": [{"key": "<id>", "alg": "ed25519", "sig": "<base64>"}, ...]}

The signatures are over ``accord-descriptor/1\\n`` followed by the RFC 8785 bytes of
``descriptor``, one per active signing key, and all must verify; after a rotation the superseded
keys sign too. An update of a pinned descriptor
(a key rotation) must also carry a valid signature by a key the pinned descriptor holds and has
not revoked: a stolen name cannot re-key a node, only its keys can.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from accord.crypto import _hazmat
from accord.crypto.canonical import canonical_json, unb64
from accord.crypto.keys import KeyRecord, KeyStatus, NodeKeys
from accord.errors import InvalidInput, VerificationFailed

FORMAT = "accord.descriptor/1"
_DOMAIN = b"accord-descriptor/1\n"
MAX_DESCRIPTOR_BYTES = 256 * 1024
MAX_KEYS = 64


def check_signature(record: KeyRecord, signature: bytes, message: bytes, what: str) -> None:
    """``signature`` is ``record``'s on ``message``; else :class:`VerificationFailed` naming
    ``what`` (never why, in cryptographic detail)."""
    if record.algorithm == "ed25519":
        valid = _hazmat.ed25519_verify(record.public, signature, message)
    elif record.algorithm == "mldsa65":
        valid = _hazmat.mldsa65_verify(record.public, signature, message)
    else:
        valid = False
    if not valid:
        raise VerificationFailed(f"a signature on {what} does not verify")


#: Every signature set (envelope, statement) includes an Ed25519 signature.
ALWAYS_REQUIRED = frozenset({"ed25519"})


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeDescriptor:
    node: str
    nation: str
    issued: str
    keys: tuple[KeyRecord, ...]
    signatures: tuple[dict[str, str], ...] = ()

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "node": self.node,
            "nation": self.nation,
            "issued": self.issued,
            "keys": [k.public_dict() for k in self.keys],
        }

    def to_dict(self) -> dict[str, Any]:
        return {"descriptor": self.body(), "signatures": list(self.signatures)}

    def encode(self) -> bytes:
        return json.dumps(self.to_dict(), indent=2).encode() + b"\n"

    def key(self, identifier: str) -> KeyRecord | None:
        return next((k for k in self.keys if k.id == identifier), None)

    def usable_signing_keys(self) -> tuple[KeyRecord, ...]:
        return tuple(k for k in self.keys if k.signs and k.status.usable)

    def check_complete(self, algorithms: set[str], what: str) -> None:
        """The hybrid signature rule, for every signed thing (envelopes, statements): signatures
        by Ed25519 and by every algorithm this node has an active signing key for (ML-DSA-65
        when configured). A hybrid signature is only as strong as its weakest required half, so
        a set missing one is refused (docs/envelope.md, "Signatures")."""
        active = {k.algorithm for k in self.keys if k.signs and k.status is KeyStatus.ACTIVE}
        if not (ALWAYS_REQUIRED | active) <= algorithms:
            raise VerificationFailed(f"{what} is missing a required signature")

    def usable_kem_keys(self) -> tuple[KeyRecord, ...]:
        return tuple(k for k in self.keys if not k.signs and k.status is KeyStatus.ACTIVE)


def describe(keys: NodeKeys, now: dt.datetime) -> NodeDescriptor:
    """The signed descriptor of a key set (public halves only)."""
    public = tuple(replace(k, private=None) for k in keys.keys)
    unsigned = NodeDescriptor(
        node=keys.node,
        nation=keys.nation,
        issued=now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        keys=public,
    )
    signatures = keys.sign(_DOMAIN + canonical_json(unsigned.body()), with_superseded=True)
    return NodeDescriptor(
        node=unsigned.node,
        nation=unsigned.nation,
        issued=unsigned.issued,
        keys=public,
        signatures=tuple(signatures),
    )


def _signed_by(descriptor: NodeDescriptor, signer_keys: tuple[KeyRecord, ...]) -> set[str]:
    """Ids of ``signer_keys`` whose signature on the descriptor verifies."""
    message = _DOMAIN + canonical_json(descriptor.body())
    verified: set[str] = set()
    for signature in descriptor.signatures:
        record = next((k for k in signer_keys if k.id == signature.get("key")), None)
        if record is None:
            continue
        value = unb64(signature.get("sig"), "descriptor signature", max_bytes=8192)
        check_signature(record, value, message, f"the descriptor of {descriptor.node}")
        verified.add(record.id)
    return verified


def parse_descriptor(data: bytes, *, pinned: NodeDescriptor | None = None) -> NodeDescriptor:
    """Read and verify a descriptor: every active signing key it lists signed it; an update of
    ``pinned`` is also signed by a usable key of ``pinned`` and names the same node."""
    if len(data) > MAX_DESCRIPTOR_BYTES:
        raise InvalidInput(f"a descriptor is at most {MAX_DESCRIPTOR_BYTES} bytes")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InvalidInput("a descriptor is a JSON document") from None
    if not isinstance(value, dict) or not isinstance(value.get("descriptor"), dict):
        raise InvalidInput("a descriptor has 'descriptor' and 'signatures'")
    body, signatures = value["descriptor"], value.get("signatures")
    if body.get("format") != FORMAT:
        raise InvalidInput(f"unsupported descriptor format {body.get('format')!r}")
    keys = body.get("keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_KEYS:
        raise InvalidInput(f"a descriptor lists 1 to {MAX_KEYS} keys")
    if not isinstance(signatures, list) or not all(isinstance(s, dict) for s in signatures):
        raise InvalidInput("descriptor signatures are a list of objects")
    records = tuple(KeyRecord.from_dict(k) for k in keys)
    if any(k.private is not None for k in records):
        raise InvalidInput("a descriptor must not contain private keys")
    descriptor = NodeDescriptor(
        node=str(body.get("node")),
        nation=str(body.get("nation")),
        issued=str(body.get("issued")),
        keys=records,
        signatures=tuple(signatures),
    )
    active = tuple(k for k in records if k.signs and k.status is KeyStatus.ACTIVE)
    if not active:
        raise InvalidInput("a descriptor has an active signing key")
    verified = _signed_by(descriptor, active)
    if {k.id for k in active} - verified:
        raise VerificationFailed(
            f"the descriptor of {descriptor.node} is not signed by all its active keys"
        )
    if pinned is not None:
        if descriptor.node != pinned.node:
            raise VerificationFailed(f"the descriptor is for {descriptor.node}, not {pinned.node}")
        if not _signed_by(descriptor, pinned.usable_signing_keys()):
            raise VerificationFailed(
                f"the new descriptor of {pinned.node} is not signed by a key already pinned"
            )
    return descriptor
