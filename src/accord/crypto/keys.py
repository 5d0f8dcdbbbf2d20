"""A node's key set: signing keys (Ed25519, optionally ML-DSA-65) and key-encapsulation keys
(HPKE X-Wing by default, X25519 available), with ids, validity and a lifecycle.

Key id: the first 16 bytes of SHA-256(algorithm || 0x00 || public key), in hex. Lifecycle:

- ``active``: signs and receives new envelopes;
- ``superseded``: replaced by a rotation; still verifies and opens what it protected;
- ``retired``: no longer opens or verifies anything; its private half is erased;
- ``revoked``: compromised; nothing signed by it is accepted and nothing is opened with it.

Everything here is pure: times and randomness come from the caller (``now``; the ``_hazmat``
generators).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from accord.crypto import _hazmat
from accord.crypto.canonical import b64, unb64
from accord.crypto.timestamps import format_time, parse_time
from accord.errors import InvalidInput, NotFound

SIGNING_ALGORITHMS = ("ed25519", "mldsa65")
KEM_ALGORITHMS = ("xwing", "x25519")
_PUBLIC_SIZES = {"ed25519": 32, "mldsa65": 1952, "xwing": 1216, "x25519": 32}
_PRIVATE_SIZES = {"ed25519": 32, "mldsa65": 32, "xwing": 96, "x25519": 32}


class KeyStatus(enum.StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    RETIRED = "retired"
    REVOKED = "revoked"

    @property
    def usable(self) -> bool:
        """May verify signatures and open envelopes."""
        return self in (KeyStatus.ACTIVE, KeyStatus.SUPERSEDED)


def key_id(algorithm: str, public: bytes) -> str:
    return hashlib.sha256(algorithm.encode() + b"\x00" + public).digest()[:16].hex()


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyRecord:
    algorithm: str
    public: bytes
    created: str
    status: KeyStatus = KeyStatus.ACTIVE
    not_after: str | None = None
    private: bytes | None = field(default=None, repr=False)
    id: str = field(init=False, compare=False)
    #: ``created`` and ``not_after`` as times (validity is compared as times, never as text).
    created_at: dt.datetime = field(init=False, compare=False, repr=False)
    not_after_at: dt.datetime | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.algorithm not in _PUBLIC_SIZES:
            raise InvalidInput(f"unknown key algorithm {self.algorithm!r}")
        if len(self.public) != _PUBLIC_SIZES[self.algorithm]:
            raise InvalidInput(
                f"a {self.algorithm} public key is {_PUBLIC_SIZES[self.algorithm]} bytes"
            )
        if self.private is not None and len(self.private) != _PRIVATE_SIZES[self.algorithm]:
            raise InvalidInput(
                f"a {self.algorithm} private key is {_PRIVATE_SIZES[self.algorithm]} bytes"
            )
        object.__setattr__(self, "id", key_id(self.algorithm, self.public))
        object.__setattr__(self, "created_at", parse_time(self.created, "a key's created"))
        object.__setattr__(
            self,
            "not_after_at",
            None if self.not_after is None else parse_time(self.not_after, "a key's not_after"),
        )

    @property
    def signs(self) -> bool:
        return self.algorithm in SIGNING_ALGORITHMS

    def valid_at(self, when: dt.datetime) -> bool:
        """Within the key's validity: from its creation to its ``not_after`` (inclusive)."""
        return self.created_at <= when and (self.not_after_at is None or when <= self.not_after_at)

    def public_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "alg": self.algorithm,
            "public": b64(self.public),
            "created": self.created,
            "status": self.status.value,
        }
        if self.not_after is not None:
            out["not_after"] = self.not_after
        return out

    def to_dict(self) -> dict[str, Any]:
        out = self.public_dict()
        if self.private is not None:
            out["private"] = b64(self.private)
        return out

    @classmethod
    def from_dict(cls, value: object) -> KeyRecord:
        if not isinstance(value, dict):
            raise InvalidInput("a key is a JSON object")
        algorithm = value.get("alg")
        if algorithm not in _PUBLIC_SIZES:
            raise InvalidInput(f"unknown key algorithm {algorithm!r}")
        try:
            status = KeyStatus(str(value.get("status")))
        except ValueError:
            raise InvalidInput(f"unknown key status {value.get('status')!r}") from None
        private = value.get("private")
        record = cls(
            algorithm=str(algorithm),
            public=unb64(value.get("public"), "public key", max_bytes=4096),
            created=str(value.get("created", "")),
            status=status,
            not_after=value.get("not_after"),
            private=None if private is None else unb64(private, "private key", max_bytes=128),
        )
        if value.get("id") != record.id:
            raise InvalidInput("a key's id does not match its public key")
        return record


def _public_of(algorithm: str, private: bytes) -> bytes:
    if algorithm == "ed25519":
        return _hazmat.ed25519_public(private)
    if algorithm == "mldsa65":
        return _hazmat.mldsa65_public(private)
    return _hazmat.kem_public(algorithm, private)


def key_from_private(algorithm: str, private: bytes, created: str) -> KeyRecord:
    """A key from its private half (test vectors take this deterministic path)."""
    if algorithm not in _PRIVATE_SIZES or len(private) != _PRIVATE_SIZES[algorithm]:
        raise InvalidInput(f"a {algorithm} private key is {_PRIVATE_SIZES.get(algorithm)} bytes")
    return KeyRecord(
        algorithm=algorithm, public=_public_of(algorithm, private), private=private, created=created
    )


def new_key(algorithm: str, now: dt.datetime, *, lifetime_days: int | None = None) -> KeyRecord:
    if algorithm == "ed25519":
        private = _hazmat.ed25519_generate()
    elif algorithm == "mldsa65":
        private = _hazmat.mldsa65_generate()
    elif algorithm in KEM_ALGORITHMS:
        private = _hazmat.kem_generate(algorithm)
    else:
        raise InvalidInput(f"unknown key algorithm {algorithm!r}")
    public = _public_of(algorithm, private)
    not_after = format_time(now + dt.timedelta(days=lifetime_days)) if lifetime_days else None
    return KeyRecord(
        algorithm=algorithm,
        public=public,
        private=private,
        created=format_time(now),
        not_after=not_after,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeKeys:
    """The private key set of one node."""

    node: str
    nation: str
    keys: tuple[KeyRecord, ...]

    @classmethod
    def generate(
        cls,
        node: str,
        nation: str,
        now: dt.datetime,
        *,
        kem: str = "xwing",
        mldsa: bool = False,
        lifetime_days: int | None = None,
    ) -> NodeKeys:
        algorithms = ["ed25519", *(["mldsa65"] if mldsa else []), kem]
        return cls(
            node=node,
            nation=nation,
            keys=tuple(new_key(a, now, lifetime_days=lifetime_days) for a in algorithms),
        )

    def key(self, identifier: str) -> KeyRecord:
        for record in self.keys:
            if record.id == identifier or (
                len(identifier) >= 8 and record.id.startswith(identifier)
            ):
                return record
        raise NotFound(f"no key {identifier} in the key set of {self.node}")

    def active(self, *, signing: bool) -> tuple[KeyRecord, ...]:
        return tuple(k for k in self.keys if k.status is KeyStatus.ACTIVE and k.signs == signing)

    def signer_ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.active(signing=True))

    def sign(self, message: bytes, *, with_superseded: bool = False) -> list[dict[str, str]]:
        """One signature per active signing key (Ed25519, and ML-DSA-65 when configured); with
        ``with_superseded``, also by superseded keys (a descriptor after a rotation, so that
        partners who pinned the old keys accept the new ones)."""
        signers = list(self.active(signing=True))
        if with_superseded:
            signers += [
                k
                for k in self.keys
                if k.signs and k.status is KeyStatus.SUPERSEDED and k.private is not None
            ]
        signatures = []
        for record in signers:
            assert record.private is not None
            if record.algorithm == "ed25519":
                value = _hazmat.ed25519_sign(record.private, message)
            else:
                value = _hazmat.mldsa65_sign(record.private, message)
            signatures.append({"key": record.id, "alg": record.algorithm, "sig": b64(value)})
        if not signatures:
            raise InvalidInput(f"the key set of {self.node} has no active signing key")
        return signatures

    def rotate(self, now: dt.datetime, *, lifetime_days: int | None = None) -> NodeKeys:
        """New keys for every active algorithm; the old ones are superseded (kept to verify and
        open what they protected)."""
        fresh = [
            new_key(k.algorithm, now, lifetime_days=lifetime_days)
            for k in self.keys
            if k.status is KeyStatus.ACTIVE
        ]
        kept = [
            replace(k, status=KeyStatus.SUPERSEDED) if k.status is KeyStatus.ACTIVE else k
            for k in self.keys
        ]
        return replace(self, keys=tuple(kept + fresh))

    def revoke(self, identifier: str) -> NodeKeys:
        target = self.key(identifier)
        return self._with(target, replace(target, status=KeyStatus.REVOKED, private=None))

    def retire(self, identifier: str) -> NodeKeys:
        target = self.key(identifier)
        if target.status is KeyStatus.ACTIVE:
            raise InvalidInput(f"key {target.id} is active: rotate before retiring it")
        return self._with(target, replace(target, status=KeyStatus.RETIRED, private=None))

    def _with(self, old: KeyRecord, new: KeyRecord) -> NodeKeys:
        return replace(self, keys=tuple(new if k is old else k for k in self.keys))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "accord.keys/1",
            "node": self.node,
            "nation": self.nation,
            "keys": [k.to_dict() for k in self.keys],
        }

    @classmethod
    def from_dict(cls, value: object) -> NodeKeys:
        if not isinstance(value, dict) or value.get("format") != "accord.keys/1":
            raise InvalidInput("not an Accord key set (format accord.keys/1)")
        keys = value.get("keys")
        if not isinstance(keys, list) or not keys:
            raise InvalidInput("a key set has keys")
        return cls(
            node=str(value.get("node")),
            nation=str(value.get("nation")),
            keys=tuple(KeyRecord.from_dict(k) for k in keys),
        )
