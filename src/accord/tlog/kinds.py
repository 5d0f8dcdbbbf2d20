"""The log entries a node writes, one typed value per kind (their fields: docs/tlog.md,
"Entries"). Each turns into a :class:`LogEntry` (``entry()``) and back (``from_entry``), and every
``at`` is an aware datetime written in the one wire format (``crypto.timestamps``: whole seconds,
UTC, ``Z``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from accord.crypto.timestamps import format_time, parse_time
from accord.errors import InvalidInput
from accord.tlog.entries import EntryKind, LogEntry


class _Typed:
    KIND: ClassVar[EntryKind]

    def fields(self) -> dict[str, Any]:
        raise NotImplementedError

    def entry(self) -> LogEntry:
        return LogEntry(self.KIND, {k: v for k, v in self.fields().items() if v is not None})


def _at(fields: Mapping[str, Any]) -> dt.datetime:
    value = fields["at"]
    try:
        return parse_time(value, "an entry's at")
    except InvalidInput:
        # Entries written before the one wire format: ISO 8601 with an offset (never naive).
        try:
            legacy = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            legacy = None
        if legacy is None or legacy.tzinfo is None or "T" not in value:
            raise
        return legacy.astimezone(dt.UTC)


def _kind_of(entry: LogEntry, kind: EntryKind) -> Mapping[str, Any]:
    if entry.kind is not kind:
        raise InvalidInput(f"a {entry.kind} entry is not a {kind} entry")
    return entry.fields


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseDecisionEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.RELEASE_DECISION
    decision: str
    sender: str
    recipient: str
    capability: str
    activity: str
    label: dict[str, Any]
    agreements: tuple[str, ...]
    register_version: str
    user: str
    at: dt.datetime
    #: The envelope's id, when the release was permitted and sealed.
    message: str | None = None
    #: Set when the decision was not obeyed (``accord seal --unsafe-skip-decision``).
    override: str | None = None
    #: A denial's failed rules, as (rule, message): why, in the log itself (``reasons``).
    reasons: tuple[tuple[str, str], ...] = ()

    def fields(self) -> dict[str, Any]:
        failed = (
            {"reasons": [{"rule": rule, "message": said} for rule, said in self.reasons]}
            if self.reasons
            else {}
        )
        return failed | {
            "decision": self.decision,
            "sender": self.sender,
            "recipient": self.recipient,
            "capability": self.capability,
            "activity": self.activity,
            "label": self.label,
            "agreements": list(self.agreements),
            "register_version": self.register_version,
            "user": self.user,
            "message": self.message,
            "override": self.override,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> ReleaseDecisionEntry:
        f = _kind_of(entry, cls.KIND)
        return cls(
            decision=f["decision"],
            sender=f["sender"],
            recipient=f["recipient"],
            capability=f["capability"],
            activity=f["activity"],
            label=dict(f["label"]),
            agreements=tuple(f["agreements"]),
            register_version=f["register_version"],
            user=f["user"],
            message=f.get("message"),
            override=f.get("override"),
            reasons=tuple((r["rule"], r["message"]) for r in f.get("reasons") or ()),
            at=_at(f),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeSentEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.ENVELOPE_SENT
    envelope: str
    digest: str
    recipient: str
    at: dt.datetime

    def fields(self) -> dict[str, Any]:
        return {
            "envelope": self.envelope,
            "digest": self.digest,
            "recipient": self.recipient,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> EnvelopeSentEntry:
        f = _kind_of(entry, cls.KIND)
        return cls(envelope=f["envelope"], digest=f["digest"], recipient=f["recipient"], at=_at(f))


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeReceivedEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.ENVELOPE_RECEIVED
    envelope: str
    digest: str
    sender: str
    status: str
    at: dt.datetime
    agreements: tuple[str, ...] | None = None
    register_version: str | None = None
    reason: str | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "envelope": self.envelope,
            "digest": self.digest,
            "sender": self.sender,
            "status": self.status,
            "agreements": None if self.agreements is None else list(self.agreements),
            "register_version": self.register_version,
            "reason": self.reason,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> EnvelopeReceivedEntry:
        f = _kind_of(entry, cls.KIND)
        agreements = f.get("agreements")
        return cls(
            envelope=f["envelope"],
            digest=f["digest"],
            sender=f["sender"],
            status=f["status"],
            agreements=None if agreements is None else tuple(agreements),
            register_version=f.get("register_version"),
            reason=f.get("reason"),
            at=_at(f),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.RECEIPT
    envelope: str
    #: ``accepted`` or ``rejected`` (the partner's receipt), or ``held`` (by this node).
    status: str
    by: str
    at: dt.datetime
    reason: str = ""
    receiver_log_index: int | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "envelope": self.envelope,
            "status": self.status,
            "by": self.by,
            "reason": self.reason,
            "receiver_log_index": self.receiver_log_index,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> ReceiptEntry:
        f = _kind_of(entry, cls.KIND)
        return cls(
            envelope=f["envelope"],
            status=f["status"],
            by=f["by"],
            reason=f.get("reason", ""),
            receiver_log_index=f.get("receiver_log_index"),
            at=_at(f),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementEventEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.AGREEMENT_EVENT
    agreement: str
    event: str
    at: dt.datetime
    date: str | None = None
    by: str | None = None
    revision: int | None = None
    status: str | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "event": self.event,
            "date": self.date,
            "by": self.by,
            "revision": self.revision,
            "status": self.status,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> AgreementEventEntry:
        f = _kind_of(entry, cls.KIND)
        return cls(
            agreement=f["agreement"],
            event=f["event"],
            date=f.get("date"),
            by=f.get("by"),
            revision=f.get("revision"),
            status=f.get("status"),
            at=_at(f),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CosignatureSeenEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.COSIGNATURE_SEEN
    origin: str
    size: int
    root_hash: str
    witness: str
    at: dt.datetime

    def fields(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root_hash": self.root_hash,
            "witness": self.witness,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> CosignatureSeenEntry:
        f = _kind_of(entry, cls.KIND)
        return cls(
            origin=f["origin"],
            size=f["size"],
            root_hash=f["root_hash"],
            witness=f["witness"],
            at=_at(f),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessAlarmEntry(_Typed):
    KIND: ClassVar[EntryKind] = EntryKind.WITNESS_ALARM
    origin: str
    reason: str
    at: dt.datetime
    evidence: dict[str, Any] | str | None = field(default=None)

    def fields(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "reason": self.reason,
            "evidence": self.evidence,
            "at": format_time(self.at),
        }

    @classmethod
    def from_entry(cls, entry: LogEntry) -> WitnessAlarmEntry:
        f = _kind_of(entry, cls.KIND)
        return cls(origin=f["origin"], reason=f["reason"], evidence=f.get("evidence"), at=_at(f))


TypedEntry = (
    ReleaseDecisionEntry
    | EnvelopeSentEntry
    | EnvelopeReceivedEntry
    | ReceiptEntry
    | AgreementEventEntry
    | CosignatureSeenEntry
    | WitnessAlarmEntry
)

_BY_KIND: dict[EntryKind, Any] = {
    cls.KIND: cls
    for cls in (
        ReleaseDecisionEntry,
        EnvelopeSentEntry,
        EnvelopeReceivedEntry,
        ReceiptEntry,
        AgreementEventEntry,
        CosignatureSeenEntry,
        WitnessAlarmEntry,
    )
}


def typed(entry: LogEntry) -> TypedEntry:
    """The typed value of a node's entry (InvalidInput for a kind without one, or a malformed
    entry)."""
    cls = _BY_KIND.get(entry.kind)
    if cls is None:
        raise InvalidInput(f"{entry.kind} entries have no typed form")
    try:
        found: TypedEntry = cls.from_entry(entry)
    except (KeyError, TypeError) as error:
        raise InvalidInput(f"a malformed {entry.kind} entry: {error}") from None
    return found
