"""Fuzzing in both directions: hostile bytes are refused with Accord's own error (never a foreign
exception), and no mutation of something signed is ever accepted.

Each target runs ``ACCORD_FUZZ_EXAMPLES`` inputs (200 by default, what CI runs); set it higher
for a long run (docs/security.md gives the figures of the last one)."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import secrets
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.agreements.document import parse_document
from accord.agreements.record import register_from_dict
from accord.crypto.envelope import EnvelopeError, verify
from accord.errors import AccordError, PeerRefused
from accord.federation.protocol import HEADER, sign_request, verify_request
from accord.labels.ess_ber import encode_label
from accord.labels.json_form import label_to_dict
from accord.labels.national import national_policy, shipped_policies
from accord.labels.reading import read_clearance, read_label
from accord.labels.stanag4774 import write_label
from tests.support.envelopes import NOW, node, sealed

EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 200,  # CI: the same inputs every run; a long run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

USA = node("usa.example", "USA", mldsa=True)
PAK = node("pak.example", "PAK")
ENVELOPES = {
    "json": sealed(USA, [PAK], b"exercise starts at 0600" * 100, segment_size=1024),
    "cbor": sealed(USA, [PAK], b"exercise starts at 0600" * 100, segment_size=1024, cbor=True),
}


def _verify(data: bytes) -> None:
    verify(io.BytesIO(data), USA.descriptor)


def test_the_unmutated_envelopes_verify() -> None:
    for data in ENVELOPES.values():
        _verify(data)


@pytest.mark.parametrize("encoding", sorted(ENVELOPES))
@FUZZ
@given(data=st.data())
def test_every_mutated_envelope_is_refused(encoding: str, data: st.DataObject) -> None:
    """Every byte of an envelope is covered by its signature or by its canonical form, so any
    change (a byte replaced, removed or inserted; a cut) is refused, and only as EnvelopeError."""
    original = ENVELOPES[encoding]
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    action = data.draw(st.sampled_from(["replace", "delete", "insert", "truncate"]))
    if action == "replace":
        value = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]))
        mutated = original[:position] + bytes([value]) + original[position + 1 :]
    elif action == "delete":
        mutated = original[:position] + original[position + 1 :]
    elif action == "insert":
        mutated = (
            original[:position] + data.draw(st.binary(min_size=1, max_size=8)) + original[position:]
        )
    else:
        mutated = original[:position]
    with pytest.raises(EnvelopeError):
        _verify(mutated)


def _json_values() -> st.SearchStrategy[Any]:
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**60), 2**60)
        | st.text(max_size=20)
        | st.sampled_from(["AAAA====", "\ud800", "", "2026-11-22T08:00:00+01:00"])
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=6,
    )


@FUZZ
@given(field=st.sampled_from(["header", "keys"]), path=st.text(max_size=12), value=_json_values())
def test_a_changed_opening_record_is_refused(field: str, path: str, value: Any) -> None:
    """Replace any header field (or a wrapped key's) with any JSON value, keeping the line
    canonical: the signature no longer matches, or a reading rule refuses it first."""
    lines = ENVELOPES["json"].split(b"\n")
    opening = json.loads(lines[0])
    target = opening["header"] if field == "header" else opening["keys"][0]
    key = path if path in target or not target else sorted(target)[len(path) % len(target)]
    if target.get(key, object()) == value:
        return
    target[key] = value
    try:
        line = json.dumps(opening, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        lines[0] = line.encode()
    except UnicodeEncodeError:
        return  # a lone surrogate cannot be sent as UTF-8 at all
    with pytest.raises(EnvelopeError):
        _verify(b"\n".join(lines))


PATH = "/federation/v1/transactions/abcdefgh"
REQUEST_BODY = b'{"v":1}'


def _check_request(header: str, body: bytes = REQUEST_BODY) -> None:
    verify_request(
        header,
        receiver="pak.example",
        method="PUT",
        path=PATH,
        body=body,
        peers={"usa.example": USA.descriptor},
        now=NOW,
        max_skew=__import__("datetime").timedelta(minutes=5),
    )


def _signed_header() -> str:
    return sign_request(
        USA.keys,
        destination="pak.example",
        method="PUT",
        path=PATH,
        body=REQUEST_BODY,
        now=NOW,
        nonce=secrets.token_hex(16),
    )[HEADER]


#: One header for every example (ML-DSA signing is randomised: a header made per example would
#: make the examples irreproducible).
SIGNED_HEADER = _signed_header()


def test_the_unmutated_request_verifies() -> None:
    _check_request(SIGNED_HEADER)


@FUZZ
@given(data=st.data())
def test_every_mutated_request_header_is_refused(data: st.DataObject) -> None:
    header = SIGNED_HEADER
    position = data.draw(st.integers(0, len(header) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= !\u00e9"
    value = data.draw(st.sampled_from(alphabet).filter(lambda c: c != header[position]))
    with pytest.raises(PeerRefused):
        _check_request(header[:position] + value + header[position + 1 :])


@FUZZ
@given(
    field=st.sampled_from(
        ["origin", "destination", "method", "path", "digest", "timestamp", "nonce"]
    ),
    value=_json_values(),
)
def test_every_changed_signed_request_field_is_refused(field: str, value: Any) -> None:
    signed = json.loads(base64.b64decode(SIGNED_HEADER))
    if signed[field] == value:
        return
    signed[field] = value
    try:
        canonical = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        encoded = base64.b64encode(canonical.encode()).decode()
    except UnicodeEncodeError:
        return
    with pytest.raises(PeerRefused):
        _check_request(encoded)


POLICIES = shipped_policies()
_USA_POLICY = national_policy("USA")
_LABEL = read_label(b'{"policy":"' + _USA_POLICY.id.encode() + b'","classification":4}', POLICIES)
LABEL_SEEDS = [
    json.dumps(label_to_dict(_LABEL.label)).encode(),
    write_label(_LABEL.label, _USA_POLICY, created="2026-11-22T08:00:00Z"),
    encode_label(_LABEL.label, _USA_POLICY),
    bytes.fromhex("31190201010688d0146982a4d1f996"),
    b"<a:b:c xmlns='x'/>",
    b'{"policy": "1.2", "classification": ' + b"9" * 5000 + b"}",
]


def _mutated(seed: bytes, data: st.DataObject) -> bytes:
    out = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        if not out:
            break
        position = data.draw(st.integers(0, len(out) - 1))
        out[position] = data.draw(st.integers(0, 255))
    return bytes(out)


@FUZZ
@given(seed=st.sampled_from(LABEL_SEEDS), data=st.data())
def test_label_readers_raise_only_accords_errors(seed: bytes, data: st.DataObject) -> None:
    raw = _mutated(seed, data) if data.draw(st.booleans()) else seed
    for reader in (read_label, read_clearance):
        with contextlib.suppress(AccordError):
            reader(raw, POLICIES)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_label_readers_take_any_bytes(raw: bytes) -> None:
    for reader in (read_label, read_clearance):
        with contextlib.suppress(AccordError):
            reader(raw, POLICIES)


@FUZZ
@given(value=_json_values(), fmt=st.sampled_from(["json", "yaml"]))
def test_register_documents_raise_only_accords_errors(value: Any, fmt: str) -> None:
    document = {"schema": "accord.register/1", "agreements": [value]}
    try:
        raw = json.dumps(document).encode()
    except UnicodeEncodeError:
        return
    with contextlib.suppress(AccordError):
        register_from_dict(parse_document(raw, fmt, limit=1 << 20)[0])  # type: ignore[arg-type]
