"""Log entries: canonical JSON (RFC 8785) objects with a type and a version.

Every exchange and every change of trust is an entry: release decisions (permit and deny),
envelopes sent and received, receipts, agreement and key events, cosignatures seen, witness
alarms. An entry's bytes are its canonical JSON, so the leaf hash of an entry is reproducible by
anyone who has the entry as JSON: ``decode`` refuses bytes that are not the canonical form.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from accord.crypto.canonical import canonical_json
from accord.errors import InvalidInput

VERSION = 1
MAX_ENTRY_BYTES = 64 * 1024


class EntryKind(enum.StrEnum):
    RELEASE_DECISION = "release-decision"
    ENVELOPE_SENT = "envelope-sent"
    ENVELOPE_RECEIVED = "envelope-received"
    RECEIPT = "receipt"
    AGREEMENT_EVENT = "agreement-event"
    KEY_EVENT = "key-event"
    COSIGNATURE_SEEN = "cosignature-seen"
    WITNESS_ALARM = "witness-alarm"
    #: Synthetic entries for benchmarks and demonstrations (``accord log append-test``).
    TEST = "test"


#: The fields each kind must carry (more are allowed).
REQUIRED: Mapping[EntryKind, frozenset[str]] = MappingProxyType(
    {
        EntryKind.RELEASE_DECISION: frozenset(
            {"decision", "sender", "recipient", "capability", "at"}
        ),
        EntryKind.ENVELOPE_SENT: frozenset({"envelope", "digest", "recipient", "at"}),
        EntryKind.ENVELOPE_RECEIVED: frozenset({"envelope", "digest", "sender", "at"}),
        EntryKind.RECEIPT: frozenset({"envelope", "status", "by", "at"}),
        EntryKind.AGREEMENT_EVENT: frozenset({"agreement", "event", "at"}),
        EntryKind.KEY_EVENT: frozenset({"key", "event", "at"}),
        EntryKind.COSIGNATURE_SEEN: frozenset({"origin", "size", "root_hash", "witness", "at"}),
        EntryKind.WITNESS_ALARM: frozenset({"origin", "reason", "at"}),
        EntryKind.TEST: frozenset({"n"}),
    }
)
_DECISIONS = {"permit", "deny"}


@dataclass(frozen=True, slots=True)
class LogEntry:
    kind: EntryKind
    fields: Mapping[str, Any]

    def __post_init__(self) -> None:
        missing = REQUIRED[self.kind] - set(self.fields)
        if missing:
            raise InvalidInput(f"a {self.kind} entry needs {', '.join(sorted(missing))}")
        if "type" in self.fields or "v" in self.fields:
            raise InvalidInput("entry fields may not be named type or v")
        if self.kind is EntryKind.RELEASE_DECISION and self.fields["decision"] not in _DECISIONS:
            raise InvalidInput("a release decision is permit or deny")

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind.value, "v": VERSION, **self.fields}

    def encode(self) -> bytes:
        # RFC 8785 over the signed subset (no floats): the fast encoder, checked first.
        try:
            data = canonical_json(self.to_dict())
        except InvalidInput as e:
            raise InvalidInput(f"the entry is not canonical JSON: {e.reason}") from None
        if len(data) > MAX_ENTRY_BYTES:
            raise InvalidInput(f"an entry is at most {MAX_ENTRY_BYTES} bytes")
        return data


def entry_from_dict(value: object) -> LogEntry:
    if not isinstance(value, dict):
        raise InvalidInput("an entry is a JSON object")
    kind_name, version = value.get("type"), value.get("v")
    if version != VERSION:
        raise InvalidInput(f"unsupported entry version {version!r}")
    try:
        kind = EntryKind(str(kind_name))
    except ValueError:
        raise InvalidInput(f"unknown entry type {kind_name!r}") from None
    fields = {k: v for k, v in value.items() if k not in ("type", "v")}
    return LogEntry(kind, MappingProxyType(fields))


def decode(data: bytes) -> LogEntry:
    """The entry whose canonical bytes are ``data``; anything else is refused."""
    if len(data) > MAX_ENTRY_BYTES:
        raise InvalidInput(f"an entry is at most {MAX_ENTRY_BYTES} bytes")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise InvalidInput(f"an entry is JSON: {e}") from None
    entry = entry_from_dict(value)
    if entry.encode() != data:
        raise InvalidInput("the entry is not in canonical form (RFC 8785)")
    return entry
