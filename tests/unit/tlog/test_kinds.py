"""Each kind of log entry as a typed value: round trips through the entry and its bytes, one
wire format for times, and refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.errors import InvalidInput
from accord.tlog.entries import EntryKind, LogEntry, decode
from accord.tlog.kinds import (
    AgreementEventEntry,
    CosignatureSeenEntry,
    EnvelopeReceivedEntry,
    EnvelopeSentEntry,
    ReceiptEntry,
    ReleaseDecisionEntry,
    WitnessAlarmEntry,
    typed,
)

AT = dt.datetime(2026, 11, 22, 9, 0, 5, tzinfo=dt.UTC)
VALUES = [
    ReleaseDecisionEntry(
        decision="permit", sender="USA", recipient="PAK", capability="secure-communications",
        activity="joint-exercises", label={"policy_id": "1.2", "classification": 1},
        agreements=("pak-usa-cismoa",), register_version="revision 3, evidence reported",
        user="alice", message="5f0c", at=AT,
    ),
    EnvelopeSentEntry(envelope="5f0c", digest="ab" * 32, recipient="pak.example", at=AT),
    EnvelopeReceivedEntry(
        envelope="5f0c", digest="ab" * 32, sender="usa.example", status="accepted",
        agreements=("pak-usa-cismoa",), register_version="revision 1, evidence reported", at=AT,
    ),
    EnvelopeReceivedEntry(
        envelope="5f0c", digest="ab" * 32, sender="usa.example", status="rejected",
        reason="the envelope does not verify", at=AT,
    ),
    ReceiptEntry(envelope="5f0c", status="accepted", by="pak.example", receiver_log_index=7, at=AT),
    ReceiptEntry(envelope="5f0c", status="held", by="usa.example", reason="lapsed", at=AT),
    AgreementEventEntry(
        agreement="pak-usa-cismoa", event="renewed", date="2023-08", by="operator",
        revision=4, at=AT,
    ),
    AgreementEventEntry(agreement="pak-usa-cismoa", event="closed", status="lapsed", at=AT),
    CosignatureSeenEntry(
        origin="usa.example/log", size=9, root_hash="cd" * 32, witness="pak.example", at=AT
    ),
    WitnessAlarmEntry(origin="usa.example/log", reason="inconsistent", evidence="note", at=AT),
]  # fmt: skip


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_every_kind_round_trips_through_its_bytes(value) -> None:
    entry = value.entry()
    assert entry.fields["at"] == "2026-11-22T09:00:05Z"  # the one wire format
    assert type(value).from_entry(entry) == value
    assert typed(decode(entry.encode())) == value


def test_a_typed_entry_refuses_another_kind_and_a_malformed_one() -> None:
    sent = VALUES[1].entry()
    with pytest.raises(InvalidInput, match="not a receipt"):
        ReceiptEntry.from_entry(sent)
    with pytest.raises(InvalidInput, match="an entry's at"):
        typed(LogEntry(EntryKind.ENVELOPE_SENT, {**sent.fields, "at": "2026-11-22 09:00"}))
    # Entries written before the one wire format stay readable (an offset, never naive).
    legacy = LogEntry(EntryKind.ENVELOPE_SENT, {**sent.fields, "at": "2026-11-22T09:00:05+00:00"})
    assert typed(legacy) == VALUES[1]
    naive = LogEntry(EntryKind.ENVELOPE_SENT, {**sent.fields, "at": "2026-11-22T09:00:05"})
    with pytest.raises(InvalidInput, match="an entry's at"):
        typed(naive)
    with pytest.raises(InvalidInput, match="no typed form"):
        typed(LogEntry(EntryKind.TEST, {"n": 1}))
