"""Sealed envelopes: the label bound to the data, encrypted to each recipient, signed by the sender.

Construction (docs/envelope.md is the normative text):

1. ``binding = SHA-256("accord-envelope/1\\n" || JCS(header))``. The header names the version,
   id, creation time, sender (node and signing key ids), label, capability, activity, the
   agreements that authorised the release, the HPKE suite, the segment size and the recipients
   (node and KEM key id). Everything in it is bound to everything else by this digest.
2. A fresh 32-byte body key; for each recipient ``wrapped = HPKE.Seal(pk, info=binding,
   pt=body key)`` (RFC 9180 Base mode, single shot; X-Wing or X25519, HKDF-SHA256, AES-256-GCM).
3. The body in segments of ``segment_size`` bytes (at least one, possibly empty), each
   ``AES-256-GCM(body key, nonce = uint88(index) || final, aad = binding)`` where ``final`` is
   0x01 for the last segment and 0x00 otherwise (the STREAM construction): truncation,
   reordering, dropping and duplication all fail to decrypt.
4. ``signed = "accord-envelope/1 signed\\n" || binding || SHA-256(JCS(keys)) ||
   SHA-256(len_0 || segment_0 || ...) || uint64(segment count)``, signed by every active signing
   key of the sender (Ed25519, and ML-DSA-65 when configured).

Opening checks the limits, then every signature against the sender's pinned descriptor, then
unwraps the body key and decrypts. Every failure is the same ``EnvelopeError``; the cause goes to
the debug log only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from accord.crypto import _hazmat
from accord.crypto.canonical import canonical_json, check_signed
from accord.crypto.descriptor import NodeDescriptor, check_signature
from accord.crypto.envelope_header import EnvelopeHeader
from accord.crypto.keys import NodeKeys
from accord.crypto.timestamps import format_time, parse_time
from accord.crypto.wire import Limits, Opening, Reader, Writer, keys_json
from accord.errors import AccordError, InvalidInput, VerificationFailed

log = logging.getLogger("accord.crypto.envelope")

VERSION = 1
DEFAULT_SEGMENT_SIZE = 1024 * 1024
_BINDING = b"accord-envelope/1\n"
_SIGNED = b"accord-envelope/1 signed\n"
_BODY_KEY_SIZE = 32


class EnvelopeError(AccordError):
    """An envelope that cannot be opened or verified. Deliberately says nothing more."""

    http_status = 422
    exit_code = 5
    code = "envelope-invalid"

    def __init__(self) -> None:
        super().__init__("the envelope cannot be opened or verified")


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    node: str
    key_id: str
    suite: str
    public: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Release:
    """What the sender states about the content; all of it is bound into the header."""

    label: dict[str, Any]
    capability: str
    activity: str | None = None
    agreements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Sealed:
    id: str
    header: dict[str, Any]
    binding: bytes
    segments: int
    body_bytes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Verified:
    header: EnvelopeHeader
    binding: bytes
    signer_keys: tuple[str, ...]
    segments: int
    #: For opening: the wrapped keys, the encoding and where the body starts.
    keys: list[dict[str, Any]]
    cbor: bool
    body_offset: int


def recipients_of(descriptor: NodeDescriptor, *, at: dt.datetime | None = None) -> list[Recipient]:
    """The active KEM key of a partner's descriptor (the newest if there are several), among
    those within their validity period at ``at`` when given."""
    keys = descriptor.usable_kem_keys()
    if at is not None:
        keys = tuple(k for k in keys if k.valid_at(at))
    if not keys:
        raise InvalidInput(f"the descriptor of {descriptor.node} has no valid encryption key")
    newest = max(keys, key=lambda k: k.created)
    return [
        Recipient(
            node=descriptor.node, key_id=newest.id, suite=newest.algorithm, public=newest.public
        )
    ]


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _binding(header_json: bytes) -> bytes:
    return hashlib.sha256(_BINDING + header_json).digest()


def _signed_message(binding: bytes, keys_json: bytes, digest: bytes, count: int) -> bytes:
    return (
        _SIGNED + binding + hashlib.sha256(keys_json).digest() + digest + count.to_bytes(8, "big")
    )


def _chunks(source: BinaryIO, size: int) -> Iterator[tuple[memoryview, bool]]:
    """(chunk, is_last) over a stream, at least one (possibly empty) chunk; one chunk ahead is
    read to know which is the last. Two per-thread buffers are used in turn, so memory stays
    bounded by two segments and nothing is allocated per segment."""
    buffers = (_pooled("read-a", size), _pooled("read-b", size))
    current = _fill(source, memoryview(buffers[0])[:size])
    turn = 1
    while True:
        following = (
            _fill(source, memoryview(buffers[turn])[:size]) if len(current) == size else None
        )
        last = not following
        yield current, last
        if last or following is None:
            return
        current, turn = following, 1 - turn


def _fill(source: BinaryIO, buffer: memoryview) -> memoryview:
    filled = 0
    while filled < len(buffer):
        read = source.readinto(buffer[filled:])  # type: ignore[attr-defined]
        if not read:
            break
        filled += read
    return buffer[:filled]


_pool = threading.local()


def _pooled(name: str, size: int) -> bytearray:
    """A per-thread buffer of at least ``size`` bytes, reused from one envelope to the next:
    large fresh allocations cost page faults on every call, reuse costs nothing."""
    buffers: dict[str, bytearray] = _pool.__dict__.setdefault("buffers", {})
    buffer = buffers.get(name)
    if buffer is None or len(buffer) < size:
        buffer = bytearray(size)
        buffers[name] = buffer
    return buffer


def seal(
    source: BinaryIO,
    sink: BinaryIO,
    *,
    sender: NodeKeys,
    recipients: list[Recipient],
    release: Release,
    now: dt.datetime,
    cbor: bool = False,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
    envelope_id: str | None = None,
    body_key: bytes | None = None,
) -> Sealed:
    """Seal the bytes of ``source`` into ``sink``. ``envelope_id`` and ``body_key`` are for test
    vectors only (a deterministic path); leave them unset."""
    if not recipients:
        raise InvalidInput("an envelope needs at least one recipient")
    suites = {r.suite for r in recipients}
    if len(suites) != 1:
        raise InvalidInput("all recipients of one envelope use the same HPKE suite")
    if not 1024 <= segment_size <= 16 * 1024 * 1024:
        raise InvalidInput("the segment size is between 1 KiB and 16 MiB")
    expired = [k.id for k in sender.active(signing=True) if not k.valid_at(now)]
    if expired:
        raise InvalidInput(
            f"signing key(s) {', '.join(expired)} are outside their validity: rotate"
        )
    header: dict[str, Any] = {
        "v": VERSION,
        "id": envelope_id or str(uuid.uuid4()),
        "created": format_time(now),
        "sender": {"node": sender.node, "nation": sender.nation, "keys": list(sender.signer_ids())},
        "label": release.label,
        "capability": release.capability,
        "activity": release.activity,
        "agreements": list(release.agreements),
        "suite": suites.pop(),
        "segment_size": segment_size,
        "recipients": [{"node": r.node, "key": r.key_id} for r in recipients],
    }
    # Only the label comes from outside as a free-form value: the rest of the header is built
    # here from typed values, so the signed-subset check need not walk it again.
    check_signed(release.label)
    header_json = canonical_json(header, checked=True)
    binding = _binding(header_json)
    key = body_key or _hazmat.random_bytes(_BODY_KEY_SIZE)
    wrapped = [(r.key_id, _hazmat.hpke_seal(r.suite, r.public, key, binding)) for r in recipients]
    wrapped_json = keys_json(wrapped)
    writer = Writer(sink, cbor=cbor)
    writer.opening(header, wrapped, header_json=header_json, wrapped_json=wrapped_json)
    aead = _hazmat.Aead(key)
    digest = hashlib.sha256()
    count = 0
    total = 0
    output = _pooled("ciphertext", segment_size + 16)
    for chunk, last in _chunks(source, segment_size):
        segment = memoryview(output)[: len(chunk) + 16]
        aead.seal_into(_nonce(count, last), chunk, binding, segment)
        digest.update(len(segment).to_bytes(4, "big"))
        digest.update(segment)
        writer.segment(segment)
        count += 1
        total += len(chunk)
    writer.closing(sender.sign(_signed_message(binding, wrapped_json, digest.digest(), count)))
    return Sealed(id=header["id"], header=header, binding=binding, segments=count, body_bytes=total)


def _fail(reason: str) -> EnvelopeError:
    log.debug("envelope refused: %s", reason)
    return EnvelopeError()


#: An envelope id is a UUID in its canonical lower-case form (what ``seal`` writes).
ENVELOPE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
#: Capabilities, activities and agreement ids are slugs (lower-case letters, digits, hyphens).
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?", re.ASCII)
#: Node names: DNS-like, printable ASCII without spaces.
_NODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:_-]{0,254}", re.ASCII)
_NATION = re.compile(r"[A-Z]{3}", re.ASCII)
_KEY_ID = re.compile(r"[0-9a-f]{32}", re.ASCII)
_HEADER_FIELDS = frozenset(
    {
        "v",
        "id",
        "created",
        "sender",
        "label",
        "capability",
        "activity",
        "agreements",
        "suite",
        "segment_size",
        "recipients",
    }
)


def _text(value: object, pattern: re.Pattern[str], what: str) -> str:
    if type(value) is not str or not pattern.fullmatch(value):
        raise _fail(f"{what} is malformed")
    return value


def _check_header(
    header: dict[str, Any], opening: Opening, limits: Limits, sender: NodeDescriptor
) -> dt.datetime:
    """Every header rule of docs/envelope.md ("Reading"), before any signature is checked;
    returns the creation time."""
    if len(opening.header_json) > limits.max_header_bytes:
        raise _fail("header too large")
    if header.keys() != _HEADER_FIELDS or type(header["v"]) is not int or header["v"] != VERSION:
        raise _fail("header fields or version")
    _text(header["id"], ENVELOPE_ID, "id")
    try:
        created = parse_time(header["created"], "created")
    except InvalidInput:
        raise _fail("created is not a UTC time") from None
    claimed = header["sender"]
    if type(claimed) is not dict or claimed.keys() != {"node", "nation", "keys"}:
        raise _fail("sender fields")
    if claimed["node"] != sender.node or claimed["nation"] != sender.nation:
        raise _fail("sender is not the pinned node and nation")
    signer_ids = claimed["keys"]
    if (
        type(signer_ids) is not list
        or not 0 < len(signer_ids) <= limits.max_signatures
        or len(set(map(str, signer_ids))) != len(signer_ids)
    ):
        raise _fail("sender keys: 1 to max_signatures distinct key ids")
    for key in signer_ids:
        _text(key, _KEY_ID, "sender key id")
    label = header["label"]
    if type(label) is not dict or not label:
        raise _fail("the label is a non-empty object")
    _text(header["capability"], _SLUG, "capability")
    if header["activity"] is not None:
        _text(header["activity"], _SLUG, "activity")
    agreements = header["agreements"]
    if type(agreements) is not list or len(agreements) > 64:
        raise _fail("agreements")
    for agreement in agreements:
        _text(agreement, _SLUG, "agreement id")
    if type(header["suite"]) is not str or header["suite"] not in _hazmat.HPKE_SUITES:
        raise _fail("unknown suite")
    size = header["segment_size"]
    if type(size) is not int or not 1024 <= size <= limits.max_segment_size:
        raise _fail("segment size")
    recipients = header["recipients"]
    if type(recipients) is not list or not 0 < len(recipients) <= limits.max_recipients:
        raise _fail("recipients")
    nodes: set[str] = set()
    for entry in recipients:
        if type(entry) is not dict or entry.keys() != {"node", "key"}:
            raise _fail("a recipient has exactly node and key")
        nodes.add(_text(entry["node"], _NODE, "recipient node"))
        _text(entry["key"], _KEY_ID, "recipient key id")
    if len(nodes) != len(recipients):
        raise _fail("a recipient node is named twice")
    if [r["key"] for r in recipients] != [k["key"] for k in opening.keys]:
        raise _fail("recipients and wrapped keys differ")
    return created


def verify(source: BinaryIO, sender: NodeDescriptor, *, limits: Limits | None = None) -> Verified:
    """Check limits, structure and every signature against the sender's pinned descriptor."""
    return _verify(source, sender, limits or Limits())[0]


def _verify(
    source: BinaryIO, sender: NodeDescriptor, limits: Limits
) -> tuple[Verified, bytes | memoryview | None]:
    """``verify``, and the envelope's segment when it has only one (most messages): opening
    then decrypts it without reading the body a second time. It is a view of this thread's
    segment buffer, valid until the next envelope is verified on this thread."""
    only: bytes | memoryview | None = None
    try:
        reader = Reader(source, limits)
        opening = reader.opening()
        body_offset = source.tell()
        header = opening.header
        created = _check_header(header, opening, limits, sender)
        full = header["segment_size"] + 16
        reader.segment_buffer = _pooled("segment", full)
        digest = hashlib.sha256()
        count = 0
        last = -1
        signatures: list[dict[str, Any]] = []
        for record in reader.records():
            if isinstance(record, list):
                signatures = record
                continue
            # Every segment but the last is full; the last is shorter or full, and empty (its
            # tag alone) only when it is the only one: one body has one segmentation.
            if last not in (-1, full):
                raise _fail("a segment before the last is not full")
            if len(record) > full or len(record) < 16:
                raise _fail("a segment's length")
            last = len(record)
            digest.update(len(record).to_bytes(4, "big"))
            digest.update(record)
            count += 1
            # The closing record that follows is read into memory of its own, never into the
            # segment buffer: this view still holds the segment once the loop ends.
            only = record if count == 1 else None
        if count == 0:
            raise _fail("no segments")
        if count > 1 and last == 16:
            raise _fail("an empty final segment after a full one")
    except InvalidInput as e:
        raise _fail(e.reason) from None
    binding = _binding(opening.header_json)
    message = _signed_message(binding, opening.keys_json, digest.digest(), count)
    verified = _check_signatures(sender, header, signatures, created, message)
    result = Verified(
        header=EnvelopeHeader.from_dict(header),
        binding=binding,
        signer_keys=verified,
        segments=count,
        keys=opening.keys,
        cbor=reader.cbor,
        body_offset=body_offset,
    )
    return result, only


def _check_signatures(
    sender: NodeDescriptor,
    header: dict[str, Any],
    signatures: list[dict[str, Any]],
    created: dt.datetime,
    message: bytes,
) -> tuple[str, ...]:
    """Exactly one valid signature by each key the header names, each usable at the envelope's
    creation, and a complete hybrid set; returns the signing key ids, sorted."""
    usable = {k.id: k for k in sender.usable_signing_keys()}
    signed_by = [str(signature["key"]) for signature in signatures]
    if len(set(signed_by)) != len(signed_by) or set(signed_by) != set(header["sender"]["keys"]):
        raise _fail("the signatures are not exactly one by each key the header names")
    verified: set[str] = set()
    for signature in signatures:
        signer = usable.get(str(signature["key"]))
        if signer is None or signer.algorithm != signature["alg"]:
            raise _fail("signature by an unknown, retired or revoked key")
        if not signer.valid_at(created):
            raise _fail("signature by a key outside its validity at the envelope's creation")
        try:
            check_signature(signer, signature["sig"], message, "the envelope")
        except VerificationFailed:
            raise _fail("bad signature") from None
        verified.add(signer.id)
    try:
        sender.check_complete({usable[i].algorithm for i in verified}, "the envelope")
    except VerificationFailed:
        raise _fail("missing signature") from None
    return tuple(sorted(verified))


def _segments(source: BinaryIO, verified: Verified, limits: Limits) -> Iterator[bytes | memoryview]:
    """The body segments, read again from the source after verification."""
    source.seek(verified.body_offset)
    buffer = _pooled("segment", verified.header.segment_size + 16)
    reader = Reader(source, limits, cbor=verified.cbor, segment_buffer=buffer)
    try:
        # Exactly the segments verified: the closing record was checked in the first pass.
        for item in itertools.islice(reader.records(), verified.segments):
            if isinstance(item, list):
                raise _fail("the body changed between the two passes")
            yield item
    except InvalidInput as e:
        raise _fail(e.reason) from None


def open_envelope(
    source: BinaryIO,
    sink: BinaryIO,
    *,
    recipient: NodeKeys,
    sender: NodeDescriptor,
    limits: Limits | None = None,
) -> Verified:
    """Verify, then unwrap with one of ``recipient``'s usable KEM keys and decrypt into ``sink``.
    ``source`` must be seekable: an envelope of several segments is read twice (verification,
    then decryption: its body is never held whole); one of a single segment, once."""
    limits = limits or Limits()
    verified, only = _verify(source, sender, limits)
    header, binding = verified.header, verified.binding
    body_key = None
    ours = {k.id: k for k in recipient.keys}
    # Only the wrapped key the header addresses to this node is tried (recipients and wrapped
    # keys are in the same order, checked by ``verify``).
    addressed = [
        entry
        for named, entry in zip(header.recipients, verified.keys, strict=True)
        if named.node == recipient.node
    ]
    if not addressed:
        raise _fail("the envelope is not addressed to this node")
    for entry in addressed:
        record = ours.get(str(entry["key"]))
        if record is None:
            continue
        if (
            record.signs
            or not record.status.usable
            or record.private is None
            or record.algorithm != header.suite
        ):
            continue
        body_key = _hazmat.hpke_open(record.algorithm, record.private, entry["wrapped"], binding)
        if body_key is not None:
            break
    if body_key is None or len(body_key) != _BODY_KEY_SIZE:
        raise _fail("no usable key of ours unwraps the body key")
    aead = _hazmat.Aead(body_key)
    index = 0
    output = _pooled("plaintext", header.segment_size)
    segments = [only] if only is not None else _segments(source, verified, limits)
    for segment in segments:
        if len(segment) < 16:
            raise _fail(f"segment {index} is shorter than its tag")
        plaintext = memoryview(output)[: len(segment) - 16]
        if not aead.open_into(
            _nonce(index, index == verified.segments - 1), segment, binding, plaintext
        ):
            raise _fail(f"segment {index} does not decrypt")
        sink.write(plaintext)
        index += 1
    if index != verified.segments:
        raise _fail("segment count changed between passes")
    return verified
