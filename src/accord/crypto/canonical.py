"""Canonical bytes for everything Accord signs or hashes.

``canonical_json`` produces RFC 8785 (JCS) bytes. For the values Accord signs (objects with ASCII
keys, strings, integers within the IEEE 754 exact range, booleans, null, lists; never floats) the
RFC 8785 serialisation is exactly Python's ``json.dumps`` with sorted keys, no whitespace and
UTF-8 output, so that fast C encoder is used after the value is checked to be in that subset
(a test compares it with the ``rfc8785`` package). Anything outside the subset is refused.

``b64`` / ``unb64``: standard base64 (RFC 4648 section 4) with padding, and a decoder that accepts
only the canonical spelling, so two different strings never carry the same bytes.
"""

from __future__ import annotations

import binascii
import json
from typing import Any

from accord.errors import InvalidInput

_MAX_SAFE_INTEGER = 2**53 - 1
_MAX_DEPTH = 32


def _check(value: Any, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise InvalidInput("a signed value is nested too deeply")
    # Exact types first (the common case, and cheap); subclasses (a StrEnum) by isinstance.
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                _check_key(key)
            _check(item, depth + 1)
        return
    if kind is list:
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise InvalidInput("integers in signed values stay within 2^53")
        return
    if isinstance(value, (list, dict)):
        raise InvalidInput(f"a signed value may not contain a {type(value).__name__} subclass")
    raise InvalidInput(f"a signed value may not contain {type(value).__name__}")


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not key.isascii():
        raise InvalidInput("keys of signed objects are ASCII strings")


def check_signed(value: Any) -> None:
    """Refuse ``value`` unless it is in the subset Accord signs (see the module's docstring)."""
    _check(value)


def canonical_json(value: Any, *, checked: bool = False) -> bytes:
    """RFC 8785 bytes of ``value``. ``checked=True`` skips the subset check for a value that is
    part of one already checked (a field of a record just canonicalised)."""
    if not checked:
        _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def unb64(text: object, what: str, *, max_bytes: int) -> bytes:
    """Decode canonical base64 (``str`` or ASCII ``bytes``); anything else is refused."""
    if isinstance(text, str):
        if not text.isascii():
            raise InvalidInput(f"{what} is not base64")
        raw = text.encode("ascii")
    elif isinstance(text, bytes):
        raw = text
    else:
        raise InvalidInput(f"{what} is base64 text")
    if len(raw) > (max_bytes + 2) // 3 * 4:
        raise InvalidInput(f"{what} is base64 of at most {max_bytes} bytes")
    try:
        data = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        raise InvalidInput(f"{what} is not base64") from None
    # Canonical (RFC 4648 section 3.5): exactly the padding needed, unused bits zero, nothing
    # after the padding. Strict mode still accepts extra padding ("AAAA===="), so the one
    # spelling is checked by encoding the bytes again: two strings never carry the same bytes.
    if binascii.b2a_base64(data, newline=False) != raw:
        raise InvalidInput(f"{what} is not canonical base64")
    return data


def _no_float(text: str) -> Any:
    raise InvalidInput("signed JSON may not contain fractions or exponents")


def _integer(text: str) -> int:
    value = int(text)
    if abs(value) > _MAX_SAFE_INTEGER:
        raise InvalidInput("integers in signed values stay within 2^53")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if not key.isascii():
            raise InvalidInput("keys of signed objects are ASCII strings")
        if key in result:
            raise InvalidInput(f"JSON object repeats the key {key!r}")
        result[key] = value
    return result


def loads_signed(data: bytes, *, canonical: bool = False) -> Any:
    """Parse JSON that is in the signed subset: no floats or constants (NaN), integers within
    2^53, ASCII keys, no repeated keys (parsers disagree on those). Its canonical form is then
    ``canonical_json(value, checked=True)``. With ``canonical=True`` the caller compares the
    input with that form, which already refuses repeated and unsorted keys, so the per-object
    check is skipped."""
    try:
        return (_CANONICAL if canonical else _CHECKED).decode(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError):
        raise InvalidInput("not valid JSON") from None


# Built once: ``json.loads`` with hooks would build a decoder on every call.
_CANONICAL = json.JSONDecoder(parse_float=_no_float, parse_int=_integer, parse_constant=_no_float)
_CHECKED = json.JSONDecoder(
    parse_float=_no_float, parse_int=_integer, parse_constant=_no_float, object_pairs_hook=_object
)
