"""Envelope framing: JSON Lines or a deterministic CBOR sequence, with the same fields.

An envelope is three kinds of records, in order: the opening record (header and wrapped keys),
the body segments, the closing record (signatures).

JSON (``.json``, for people and HTTP), one canonical JSON value per line::

    {"accord":"envelope/1","header":{...},"keys":[{"key":"<id>","wrapped":"<base64>"}]}
    "<base64 segment 0>"
    ...
    {"signatures":[{"alg":"ed25519","key":"<id>","sig":"<base64>"}]}

CBOR (``.cbor``, for thin links): an RFC 8742 CBOR sequence of the same three kinds, maps with
the same keys, in deterministic encoding (RFC 8949 section 4.2.1); binary values (wrapped keys,
segments, signatures) are byte strings instead of base64. Readers accept only the canonical
spelling of each record, so a record has one encoding and a flipped bit cannot go unnoticed.
"""

from __future__ import annotations

import binascii
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import cbor2

from accord.crypto.canonical import b64, canonical_json, loads_signed, unb64
from accord.errors import InvalidInput

MAGIC = "envelope/1"
_OPENING_PREFIX = b'{"accord":"' + MAGIC.encode() + b'","header":'


@dataclass(frozen=True, slots=True)
class Limits:
    max_header_bytes: int = 64 * 1024
    max_recipients: int = 64
    max_segment_size: int = 16 * 1024 * 1024
    max_segments: int = 1 << 20
    max_signatures: int = 4


@dataclass(frozen=True, slots=True)
class Opening:
    header: dict[str, Any]
    keys: list[dict[str, Any]]  # {"key": id, "wrapped": bytes}
    #: RFC 8785 bytes of the header, and of the keys with base64 wrapped keys (what is signed).
    header_json: bytes
    keys_json: bytes


def _bytes_head(length: int) -> bytes:
    """The deterministic CBOR head of a byte string of ``length`` bytes (RFC 8949 4.2.1)."""
    if length < 24:
        return bytes([0x40 | length])
    for code, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([0x40 | code]) + length.to_bytes(size, "big")
    raise InvalidInput("a byte string is too long")


def keys_json(keys: list[tuple[str, bytes]]) -> bytes:
    return canonical_json([{"key": str(k), "wrapped": b64(w)} for k, w in keys], checked=True)


class Writer:
    def __init__(self, sink: BinaryIO, *, cbor: bool) -> None:
        self.sink = sink
        self.cbor = cbor

    def opening(
        self,
        header: dict[str, Any],
        keys: list[tuple[str, bytes]],
        *,
        header_json: bytes,
        wrapped_json: bytes,
    ) -> None:
        if self.cbor:
            record = {
                "accord": MAGIC,
                "header": header,
                "keys": [{"key": k, "wrapped": w} for k, w in keys],
            }
            self.sink.write(cbor2.dumps(record, canonical=True))
        else:
            # Keys in RFC 8785 order: "accord" < "header" < "keys".
            self.sink.write(_OPENING_PREFIX + header_json + b',"keys":' + wrapped_json + b"}\n")

    def segment(self, data: bytes | memoryview) -> None:
        if self.cbor:
            self.sink.write(_bytes_head(len(data)))
            self.sink.write(data)
        else:
            self.sink.write(b'"')
            self.sink.write(binascii.b2a_base64(data, newline=False))
            self.sink.write(b'"\n')

    def closing(self, signatures: list[dict[str, str]]) -> None:
        if self.cbor:
            values = [
                {
                    "alg": s["alg"],
                    "key": s["key"],
                    "sig": unb64(s["sig"], "signature", max_bytes=8192),
                }
                for s in signatures
            ]
            self.sink.write(cbor2.dumps({"signatures": values}, canonical=True))
        else:
            self.sink.write(canonical_json({"signatures": signatures}, checked=True) + b"\n")


class _Truncated(Exception):
    """The CBOR item runs past the bytes read so far."""


_PLAIN = (str, bytes, int, bool, type(None))


def _plain(value: object, depth: int = 0) -> None:
    """Records hold maps, arrays, text, byte strings, integers, booleans and null only: a
    semantic tag (a date, a bignum, a MIME message, a regular expression) is refused."""
    if depth > 32:
        raise InvalidInput("an envelope record is nested too deeply")
    kind = type(value)
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise InvalidInput("an envelope record's map keys are text")
            _plain(item, depth + 1)
    elif kind is list:
        for item in value:  # type: ignore[attr-defined]
            _plain(item, depth + 1)
    elif kind not in _PLAIN:
        raise InvalidInput("an envelope record holds a CBOR tag or a type Accord does not use")


def _decode_cbor(buffer: io.BytesIO) -> Any:
    """One CBOR item from ``buffer``, plain data only. cbor2 raises many kinds of error on
    hostile input (its own, ``ValueError``, ``OverflowError``, errors of the decoders of
    semantic tags): every one of them is the same refusal here."""
    try:
        value = cbor2.CBORDecoder(buffer).decode()
    except cbor2.CBORDecodeEOF:
        raise _Truncated from None
    except Exception:  # a foreign decoder's failure on hostile bytes: refused, never raised
        raise InvalidInput("an envelope record is not valid CBOR") from None
    _plain(value)
    return value


def _object(value: object, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise InvalidInput(f"the {what} record has exactly {', '.join(sorted(keys))}")
    return value


class Reader:
    """Reads records with limits applied before any parsing of oversized data."""

    def __init__(
        self,
        source: BinaryIO,
        limits: Limits,
        *,
        cbor: bool | None = None,
        segment_buffer: bytearray | None = None,
    ) -> None:
        self.source = source
        self.limits = limits
        #: CBOR segments are read into this buffer (a view of it is yielded) when it is large
        #: enough: no allocation per segment. The view is valid until the next record is read.
        self.segment_buffer = segment_buffer
        if cbor is None:
            first = source.read(1)
            source.seek(-len(first), io.SEEK_CUR)
            if not first:
                raise InvalidInput("the envelope is empty")
            cbor = first != b"{"
        self.cbor = cbor
        self._segment_limit = 4 * ((limits.max_segment_size + 16 + 2) // 3) + 4

    # -- JSON ------------------------------------------------------------------------------

    def _line(self, limit: int) -> bytes:
        line = self.source.readline(limit + 2)
        if not line.endswith(b"\n") or len(line) > limit + 1:
            raise InvalidInput("an envelope line is missing its newline or too long")
        return line[:-1]

    def _json_record(self, limit: int) -> Any:
        return self._parse_json_line(self._line(limit))

    def _parse_json_line(self, line: bytes) -> Any:
        value = loads_signed(line, canonical=True)
        if canonical_json(value, checked=True) != line:
            raise InvalidInput("an envelope line is not canonical JSON")
        return value

    # -- CBOR ------------------------------------------------------------------------------

    def _cbor_record(self, limit: int) -> Any:
        """One CBOR data item of at most ``limit`` bytes, decoded from memory (a small read
        first, a larger one only if the item is longer), then checked deterministic."""
        start = self.source.tell()
        size = min(limit, 16 * 1024)
        while True:
            self.source.seek(start)
            blob = self.source.read(size)
            if not blob:
                raise InvalidInput("the envelope ends early")
            buffer = io.BytesIO(blob)
            try:
                value = _decode_cbor(buffer)
                break
            except _Truncated:
                if len(blob) < size or size >= limit:
                    raise InvalidInput("an envelope record is truncated or too large") from None
                size = min(limit, size * 8)
        consumed = buffer.tell()
        self.source.seek(start + consumed)
        if cbor2.dumps(value, canonical=True) != blob[:consumed]:
            raise InvalidInput("an envelope record is not deterministic CBOR")
        return value

    def _cbor_segment_or_record(self) -> Any:
        """A segment (a definite-length byte string, read directly) or the closing map."""
        first = self.source.read(1)
        if not first:
            raise InvalidInput("the envelope ends early")
        if first[0] >> 5 != 2:  # not a byte string: the closing record
            self.source.seek(-1, io.SEEK_CUR)
            return self._cbor_record(self.limits.max_header_bytes)
        extra = {24: 1, 25: 2, 26: 4, 27: 8}.get(first[0] & 0x1F)
        if extra is None and first[0] & 0x1F >= 24:
            raise InvalidInput("a segment is not a definite-length byte string")
        length = (
            first[0] & 0x1F if extra is None else int.from_bytes(self.source.read(extra), "big")
        )
        if length > self.limits.max_segment_size + 16:
            raise InvalidInput("a segment is larger than the segment size")
        if _bytes_head(length) != first + (length.to_bytes(extra, "big") if extra else b""):
            raise InvalidInput("a segment's length is not in deterministic (shortest) form")
        if self.segment_buffer is not None and length <= len(self.segment_buffer):
            view = memoryview(self.segment_buffer)[:length]
            if self.source.readinto(view) != length:  # type: ignore[attr-defined]
                raise InvalidInput("the envelope ends inside a segment")
            return view
        data = self.source.read(length)
        if len(data) != length:
            raise InvalidInput("the envelope ends inside a segment")
        return data

    # -- records ---------------------------------------------------------------------------

    def opening(self) -> Opening:
        limit = self.limits.max_header_bytes + self.limits.max_recipients * 2048
        line = b""
        if self.cbor:
            value = self._cbor_record(limit)
        else:
            line = self._line(limit)
            value = self._parse_json_line(line)
        record = _object(value, {"accord", "header", "keys"}, "opening")
        if record["accord"] != MAGIC:
            raise InvalidInput("not an Accord envelope (envelope/1)")
        keys = record["keys"]
        if not isinstance(keys, list) or not 0 < len(keys) <= self.limits.max_recipients:
            raise InvalidInput(f"an envelope has 1 to {self.limits.max_recipients} recipients")
        wrapped = []
        for item in keys:
            entry = _object(item, {"key", "wrapped"}, "recipient key")
            raw = entry["wrapped"]
            if self.cbor:
                if not isinstance(raw, bytes) or len(raw) > 4096:
                    raise InvalidInput("a wrapped key is a byte string of at most 4096 bytes")
            else:
                raw = unb64(raw, "a wrapped key", max_bytes=4096)
            wrapped.append({"key": entry["key"], "wrapped": raw})
        header = record["header"]
        if not isinstance(header, dict):
            raise InvalidInput("the envelope header is an object")
        if self.cbor:
            header_json = canonical_json(header)
            wrapped_json = keys_json([(str(k["key"]), k["wrapped"]) for k in wrapped])
        else:
            # The line is the canonical form of exactly {accord, header, keys}, so the header's
            # canonical bytes are the slice between the fixed prefix and the keys.
            # "keys" is the last top-level key and its value holds no "keys", so the last
            # occurrence of the separator splits header and keys.
            split = line.rindex(b',"keys":')
            header_json = line[len(_OPENING_PREFIX) : split]
            wrapped_json = line[split + len(b',"keys":') : -1]
        return Opening(header=header, keys=wrapped, header_json=header_json, keys_json=wrapped_json)

    def claimed_sender(self) -> str:
        """The sender node the opening record names, read without its canonical checks: only to
        choose whose pinned descriptor ``verify`` checks everything against."""
        limit = self.limits.max_header_bytes + self.limits.max_recipients * 2048
        if self.cbor:
            start = self.source.tell()
            try:
                value = _decode_cbor(io.BytesIO(self.source.read(limit)))
            except _Truncated:
                raise InvalidInput("an envelope record is truncated or too large") from None
            self.source.seek(start)
        else:
            try:
                value = json.loads(self._line(limit))
            except (ValueError, RecursionError):
                raise InvalidInput("an envelope line is not JSON") from None
        try:
            node = value["header"]["sender"]["node"]
        except (KeyError, TypeError):
            raise InvalidInput("the envelope names no sender") from None
        if not isinstance(node, str):
            raise InvalidInput("the envelope names no sender")
        return node

    def records(self) -> Iterator[bytes | memoryview | list[dict[str, Any]]]:
        """The segments (bytes), then the signatures (a list) as the last item."""
        count = 0
        while True:
            if self.cbor:
                value = self._cbor_segment_or_record()
            else:
                line = self._line(max(self._segment_limit, self.limits.max_header_bytes))
                if line[:1] == b'"' and line[-1:] == b'"' and len(line) >= 2:
                    # A base64 string needs no JSON escaping: its line is canonical as it is.
                    value = line[1:-1]
                else:
                    value = self._parse_json_line(line)
            if isinstance(value, dict):
                yield self._signatures(_object(value, {"signatures"}, "closing")["signatures"])
                if self.source.read(1):
                    raise InvalidInput("data follows the envelope's closing record")
                return
            count += 1
            if count > self.limits.max_segments:
                raise InvalidInput(f"an envelope has at most {self.limits.max_segments} segments")
            if self.cbor:
                if not isinstance(value, (bytes, memoryview)):
                    raise InvalidInput("a segment is a byte string")
                segment = value
            else:
                if not isinstance(value, bytes):
                    raise InvalidInput("a segment line is a base64 string")
                segment = unb64(value, "a segment", max_bytes=self.limits.max_segment_size + 16)
            if len(segment) > self.limits.max_segment_size + 16:
                raise InvalidInput("a segment is larger than the segment size")
            yield segment

    def _signatures(self, value: object) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not 0 < len(value) <= self.limits.max_signatures:
            raise InvalidInput(f"an envelope carries 1 to {self.limits.max_signatures} signatures")
        out = []
        for item in value:
            entry = _object(item, {"alg", "key", "sig"}, "signature")
            raw = entry["sig"]
            if self.cbor:
                if not isinstance(raw, bytes) or len(raw) > 8192:
                    raise InvalidInput("a signature is a byte string")
            else:
                raw = unb64(raw, "a signature", max_bytes=8192)
            out.append({"alg": entry["alg"], "key": entry["key"], "sig": raw})
        return out
