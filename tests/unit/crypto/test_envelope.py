"""Envelopes: round trips in both suites and encodings, and every kind of tampering refused."""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc

import cbor2
import pytest

from accord.crypto.envelope import (
    EnvelopeError,
    Release,
    open_envelope,
    recipients_of,
    seal,
    verify,
)
from accord.crypto.envelope_header import EnvelopeHeader
from accord.crypto.keys import NodeKeys
from accord.crypto.wire import Limits, Reader
from accord.errors import InvalidInput
from tests.support.envelopes import NOW, RELEASE, Node, node, opened, sealed

USA = node("usa.example")
PAK = node("pak.example", "PAK")
IND = node("ind.example", "IND")
USA_X = node("usa.example", kem="x25519")
PAK_X = node("pak.example", "PAK", kem="x25519")

BODIES = {
    "empty": b"",
    "1k": bytes(range(256)) * 4,
    "multi": bytes(range(256)) * 10 + b"tail",
    "boundary": b"\x5a" * 2048,
}


@pytest.mark.parametrize("cbor", [False, True], ids=["json", "cbor"])
@pytest.mark.parametrize("suite", ["xwing", "x25519"])
@pytest.mark.parametrize("body", list(BODIES), ids=list(BODIES))
def test_round_trip(cbor: bool, suite: str, body: str) -> None:
    sender, receiver = (USA, PAK) if suite == "xwing" else (USA_X, PAK_X)
    envelope = sealed(sender, [receiver], BODIES[body], cbor=cbor)
    assert opened(envelope, receiver, sender) == BODIES[body]


@pytest.mark.parametrize("cbor", [False, True], ids=["json", "cbor"])
def test_ten_recipients_each_open(cbor: bool) -> None:
    receivers = [node(f"n{i}.example", "PAK") for i in range(10)]
    envelope = sealed(USA, receivers, b"to all ten", cbor=cbor)
    for receiver in receivers:
        assert opened(envelope, receiver, USA) == b"to all ten"
    with pytest.raises(EnvelopeError):
        opened(envelope, IND, USA)


class _CountingReads(io.BytesIO):
    """A source that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer, /) -> int:  # type: ignore[no-untyped-def,override]
        count = super().readinto(buffer)
        self.read_bytes += count
        return count

    def readline(self, size: int | None = -1, /) -> bytes:
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


@pytest.mark.parametrize("cbor", [False, True], ids=["json", "cbor"])
def test_a_single_segment_envelope_is_read_once_and_a_longer_one_twice(cbor: bool) -> None:
    segment = 64 * 1024
    # A record is decoded from a read of up to 16 KiB (then the source is put back where the
    # record ends): reading once is at most that much more than the envelope.
    for body, once in ((bytes(40 * 1024), True), (bytes(100 * 1024), False)):
        envelope = sealed(USA, [PAK], body, cbor=cbor, segment_size=segment)
        source, out = _CountingReads(envelope), io.BytesIO()
        open_envelope(source, out, recipient=PAK.keys, sender=USA.descriptor)
        assert out.getvalue() == body
        if once:
            assert source.read_bytes < len(envelope) + 16 * 1024 + 64
        else:
            assert source.read_bytes > 2 * len(body)


def test_segments_are_counted_and_the_header_binds_everything() -> None:
    envelope = sealed(USA, [PAK], BODIES["multi"])
    checked = verify(io.BytesIO(envelope), USA.descriptor)
    assert checked.segments == 3
    header = checked.header
    assert header.label == RELEASE.label
    assert header.capability == "secure-communications"
    assert header.agreements == ("pak-usa-cismoa",)
    assert [r.node for r in header.recipients] == ["pak.example"]
    assert header.sender_node == "usa.example"
    assert header.addressed_to("pak.example")
    assert not header.addressed_to("ind.example")


@pytest.mark.parametrize("cbor", [False, True])
def test_the_typed_header_round_trips_to_the_signed_header(cbor: bool) -> None:
    envelope = sealed(USA, [PAK, IND], BODIES["multi"], cbor=cbor)
    checked = verify(io.BytesIO(envelope), USA.descriptor)
    signed = Reader(io.BytesIO(envelope), Limits()).opening().header
    assert checked.header.to_dict() == signed
    assert EnvelopeHeader.from_dict(checked.header.to_dict()) == checked.header
    assert checked.header.created.tzinfo is not None


def _flip_all_bits(envelope: bytes, receiver: Node, sender: Node) -> int:
    accepted = 0
    for position in range(len(envelope)):
        for bit in range(8):
            mutated = bytearray(envelope)
            mutated[position] ^= 1 << bit
            try:
                opened(bytes(mutated), receiver, sender)
            except EnvelopeError:
                continue
            accepted += 1
    return accepted


@pytest.mark.parametrize("cbor", [False, True], ids=["json", "cbor"])
def test_every_single_bit_flip_is_refused(cbor: bool) -> None:
    envelope = sealed(USA_X, [PAK_X], b"hold the line", cbor=cbor)
    assert opened(envelope, PAK_X, USA_X) == b"hold the line"
    assert _flip_all_bits(envelope, PAK_X, USA_X) == 0


def test_sampled_bit_flips_of_an_x_wing_envelope_are_refused() -> None:
    envelope = sealed(USA, [PAK], b"hold the line")
    for position in range(0, len(envelope), 7):
        mutated = bytearray(envelope)
        mutated[position] ^= 1 << (position % 8)
        with pytest.raises(EnvelopeError):
            opened(bytes(mutated), PAK, USA)


def _lines(envelope: bytes) -> list[bytes]:
    return envelope.split(b"\n")[:-1]


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def test_labels_and_headers_cannot_be_swapped() -> None:
    secret = sealed(USA, [PAK], b"A" * 3000)
    other = Release(
        label={"policy": "2.25.1", "classification": 1, "categories": []},
        capability="secure-communications",
    )
    unclassified = sealed(USA, [PAK], b"B" * 3000, release=other)
    swapped = _join(_lines(unclassified)[:1] + _lines(secret)[1:])
    with pytest.raises(EnvelopeError):
        opened(swapped, PAK, USA)
    # Rewrite just the label in the opening record and keep everything else.
    first = json.loads(_lines(secret)[0])
    first["header"]["label"]["classification"] = 1
    relabelled = _join(
        [json.dumps(first, sort_keys=True, separators=(",", ":")).encode(), *_lines(secret)[1:]]
    )
    with pytest.raises(EnvelopeError):
        opened(relabelled, PAK, USA)


def test_recipients_cannot_be_removed_or_added() -> None:
    envelope = sealed(USA, [PAK, IND], b"two recipients")
    first = json.loads(_lines(envelope)[0])
    removed = dict(first)
    removed["header"] = {**first["header"], "recipients": first["header"]["recipients"][:1]}
    removed["keys"] = first["keys"][:1]
    with pytest.raises(EnvelopeError):
        opened(
            _join(
                [
                    json.dumps(removed, sort_keys=True, separators=(",", ":")).encode(),
                    *_lines(envelope)[1:],
                ]
            ),
            PAK,
            USA,
        )
    only_pak = sealed(USA, [PAK], b"one recipient")
    first = json.loads(_lines(only_pak)[0])
    first["keys"] = first["keys"] + json.loads(_lines(envelope)[0])["keys"][1:]
    first["header"]["recipients"] = first["header"]["recipients"] + [
        {"key": first["keys"][1]["key"], "node": "ind.example"}
    ]
    with pytest.raises(EnvelopeError):
        opened(
            _join(
                [
                    json.dumps(first, sort_keys=True, separators=(",", ":")).encode(),
                    *_lines(only_pak)[1:],
                ]
            ),
            IND,
            USA,
        )


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s[:-1],  # the last segment dropped
        lambda s: s[1:],  # the first segment dropped
        lambda s: [s[1], s[0], *s[2:]],  # reordered
        lambda s: [s[0], *s],  # duplicated
        lambda s: [*s, s[-1]],  # the final one repeated
    ],
    ids=["truncated", "first-dropped", "reordered", "duplicated", "final-repeated"],
)
def test_segments_cannot_be_truncated_reordered_or_duplicated(edit) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(sealed(USA, [PAK], BODIES["multi"]))
    segments = lines[1:-1]
    assert len(segments) == 3
    with pytest.raises(EnvelopeError):
        opened(_join([lines[0], *edit(segments), lines[-1]]), PAK, USA)


def test_a_body_cannot_be_replayed_under_another_header() -> None:
    first = _lines(sealed(USA, [PAK], b"first body, first header"))
    second = _lines(sealed(USA, [PAK], b"second body, other header"))
    with pytest.raises(EnvelopeError):
        opened(_join([second[0], *first[1:]]), PAK, USA)
    with pytest.raises(EnvelopeError):
        opened(_join([first[0], *second[1:-1], first[-1]]), PAK, USA)


def test_cbor_records_must_be_deterministic() -> None:
    envelope = sealed(USA, [PAK], b"cbor", cbor=True)
    decoder = cbor2.CBORDecoder(io.BytesIO(envelope))
    opening = decoder.decode()
    rest = envelope[len(cbor2.dumps(opening, canonical=True)) :]
    reordered = cbor2.dumps(dict(reversed(list(opening.items()))), canonical=False)
    with pytest.raises(EnvelopeError):
        opened(reordered + rest, PAK, USA)


def test_only_the_pinned_sender_and_its_usable_keys_are_accepted() -> None:
    envelope = sealed(USA, [PAK], b"who sent this?")
    impostor = node("usa.example")
    with pytest.raises(EnvelopeError):
        opened(envelope, PAK, impostor)
    old = USA.keys.active(signing=True)[0].id
    rotated = Node(USA.keys.rotate(NOW))
    assert opened(envelope, PAK, rotated) == b"who sent this?"  # superseded keys still verify
    revoked = Node(USA.keys.rotate(NOW).revoke(old))
    with pytest.raises(EnvelopeError):
        opened(envelope, PAK, revoked)


def test_retired_and_revoked_recipient_keys_do_not_open() -> None:
    envelope = sealed(USA, [PAK], b"sealed to the old key")
    rotated = Node(PAK.keys.rotate(NOW))
    assert opened(envelope, rotated, USA) == b"sealed to the old key"
    old = PAK.keys.active(signing=False)[0].id
    retired = Node(rotated.keys.retire(old))
    with pytest.raises(EnvelopeError):
        opened(envelope, retired, USA)
    revoked = Node(PAK.keys.revoke(old))
    with pytest.raises(EnvelopeError):
        opened(envelope, revoked, USA)
    # New envelopes go to the new key.
    assert opened(sealed(USA, [rotated], b"new"), rotated, USA) == b"new"


def test_a_sender_with_ml_dsa_must_sign_with_both() -> None:
    hybrid = node("usa.example", mldsa=True)
    envelope = sealed(hybrid, [PAK], b"post-quantum signed")
    assert opened(envelope, PAK, hybrid) == b"post-quantum signed"
    lines = _lines(envelope)
    closing = json.loads(lines[-1])
    assert sorted(s["alg"] for s in closing["signatures"]) == ["ed25519", "mldsa65"]
    only_ed = {"signatures": [s for s in closing["signatures"] if s["alg"] == "ed25519"]}
    stripped = _join(
        [*lines[:-1], json.dumps(only_ed, sort_keys=True, separators=(",", ":")).encode()]
    )
    with pytest.raises(EnvelopeError):
        opened(stripped, PAK, hybrid)


def test_limits_are_checked_first() -> None:
    envelope = sealed(USA, [PAK], BODIES["multi"])
    with pytest.raises(EnvelopeError):
        verify(io.BytesIO(envelope), USA.descriptor, limits=Limits(max_segments=2))
    with pytest.raises(EnvelopeError):
        verify(io.BytesIO(envelope), USA.descriptor, limits=Limits(max_header_bytes=100))
    with pytest.raises(EnvelopeError):
        verify(io.BytesIO(b""), USA.descriptor)
    assert str(EnvelopeError()) == "the envelope cannot be opened or verified"


def test_key_sets_round_trip_without_losing_anything() -> None:
    keys = NodeKeys.generate("usa.example", "USA", NOW, mldsa=True)
    assert NodeKeys.from_dict(json.loads(json.dumps(keys.to_dict()))) == keys
    assert "private" not in json.dumps(USA.descriptor.to_dict())


def test_large_files_seal_and_open_in_bounded_memory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    size = 24 * 1024 * 1024
    plain, sealed_path, opened_path = tmp_path / "plain", tmp_path / "sealed", tmp_path / "opened"
    with plain.open("wb") as handle:
        for i in range(size // (1 << 20)):
            handle.write(bytes([i]) * (1 << 20))
    tracemalloc.start()
    with plain.open("rb") as source, sealed_path.open("wb") as sink:
        seal(
            source,
            sink,
            sender=USA.keys,
            recipients=recipients_of(PAK.descriptor),
            release=RELEASE,
            now=NOW,
            cbor=True,
        )
    with sealed_path.open("rb") as source, opened_path.open("wb") as sink:
        open_envelope(source, sink, recipient=PAK.keys, sender=USA.descriptor)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert opened_path.stat().st_size == size
    assert opened_path.read_bytes()[:: 1 << 20] == bytes(range(24))
    assert peak < 8 * 1024 * 1024, peak  # a few 1 MiB segment buffers, not the 24 MiB body


def test_validity_periods_are_enforced() -> None:
    short = Node(NodeKeys.generate("usa.example", "USA", NOW, lifetime_days=30))
    later = NOW + dt.timedelta(days=31)
    recipients = recipients_of(PAK.descriptor)
    with pytest.raises(InvalidInput, match="outside their validity"):
        seal(
            io.BytesIO(b"x"),
            io.BytesIO(),
            sender=short.keys,
            recipients=recipients,
            release=RELEASE,
            now=later,
        )
    expiring = Node(NodeKeys.generate("pak.example", "PAK", NOW, lifetime_days=30))
    assert recipients_of(expiring.descriptor, at=NOW)
    with pytest.raises(InvalidInput, match="no valid encryption key"):
        recipients_of(expiring.descriptor, at=later)
