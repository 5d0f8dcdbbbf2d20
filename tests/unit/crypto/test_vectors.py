"""The published envelope test vectors (tests/vectors/envelope/): every valid one opens to its
plaintext, every invalid one is refused, and the script that made them still works."""

from __future__ import annotations

import io
import json
import logging
import runpy
from pathlib import Path

import pytest

from accord.crypto.descriptor import parse_descriptor
from accord.crypto.envelope import EnvelopeError, open_envelope
from accord.crypto.keys import NodeKeys
from accord.errors import InvalidInput, VerificationFailed

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "envelope"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text())
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "make-envelope-vectors"


def _open(name: str, case: dict[str, str]) -> bytes:
    receiver = NodeKeys.from_dict(
        json.loads((VECTORS / "keys" / f"{case['recipient']}.keys.json").read_text())
    )
    sender = parse_descriptor((VECTORS / "keys" / f"{case['sender']}.descriptor.json").read_bytes())
    out = io.BytesIO()
    open_envelope(io.BytesIO((VECTORS / name).read_bytes()), out, recipient=receiver, sender=sender)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(MANIFEST["valid"]))
def test_valid_vectors_open(name: str) -> None:
    case = MANIFEST["valid"][name]
    assert _open(name, case).decode() == case["plaintext"]


@pytest.mark.parametrize("name", sorted(MANIFEST["invalid"]))
def test_invalid_vectors_are_refused(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="accord.crypto.envelope")
    with pytest.raises(EnvelopeError):
        _open(name, MANIFEST["invalid"][name])
    if name.removesuffix(".json").removesuffix(".cbor").removeprefix("invalid-") in FORGED:
        # Sealed and signed correctly: refused by the rule it is named after, not by tampering.
        assert "bad signature" not in caplog.text
        assert "envelope refused" in caplog.text


#: The vectors ``forge`` made (each in JSON and CBOR): every one is correctly signed.
FORGED = {
    "id-not-uuid",
    "created-not-utc",
    "created-garbage",
    "created-before-signing-key",
    "label-empty",
    "capability-not-a-slug",
    "activity-not-a-slug",
    "sender-nation-differs",
    "sender-keys-empty",
    "sender-keys-unknown",
    "suite-not-text",
    "segment-size-over-limit",
    "not-addressed-to-recipient",
    "recipient-duplicated",
    "recipients-over-limit",
    "signature-duplicated",
    "segment-short-before-last",
    "segment-empty-before-last",
    "segment-empty-after-full",
    "mldsa-half-missing",
}


def test_every_forged_rule_has_a_json_and_a_cbor_vector() -> None:
    for rule in FORGED:
        assert f"invalid-{rule}.json" in MANIFEST["invalid"], rule
        assert f"invalid-{rule}.cbor" in MANIFEST["invalid"], rule
    assert "invalid-cbor-semantic-tag.cbor" in MANIFEST["invalid"]
    assert "invalid-revoked-signer.json" in MANIFEST["invalid"]


@pytest.mark.parametrize("cbor", [False, True])
def test_the_forger_untouched_makes_an_envelope_that_opens(cbor: bool) -> None:
    """The positive control: without a broken rule, ``forge``'s envelopes open, so each invalid
    forged vector is refused for its rule alone."""
    namespace = runpy.run_path(str(SCRIPT), run_name="vectors")
    usa = NodeKeys.from_dict(json.loads((VECTORS / "keys" / "usa.keys.json").read_text()))
    pak = NodeKeys.from_dict(json.loads((VECTORS / "keys" / "pak.keys.json").read_text()))
    pak_public = parse_descriptor((VECTORS / "keys" / "pak.descriptor.json").read_bytes())
    usa_public = parse_descriptor((VECTORS / "keys" / "usa.descriptor.json").read_bytes())
    for segments in (None, [1024, 1024, 5], [0]):
        data = namespace["forge"](usa, pak_public, cbor=cbor, segments=segments)
        out = io.BytesIO()
        open_envelope(io.BytesIO(data), out, recipient=pak, sender=usa_public)


def test_every_kind_of_tampering_has_a_vector() -> None:
    kinds = {name.removeprefix("invalid-").removesuffix(".json") for name in MANIFEST["invalid"]}
    assert {
        "label-changed",
        "recipient-removed",
        "segment-truncated",
        "segment-reordered",
        "segment-duplicated",
        "signature-flipped",
        "body-from-other-envelope",
        "header-from-other-envelope",
    } <= kinds


def test_the_vector_script_still_produces_envelopes_that_open() -> None:
    namespace = runpy.run_path(str(SCRIPT), run_name="vectors")
    files = namespace["build"]()
    namespace["check"](files)
    assert set(files) == {str(p.relative_to(VECTORS)) for p in VECTORS.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", sorted(MANIFEST["descriptor_updates"]))
def test_descriptor_update_vectors(name: str) -> None:
    """An update of a pinned descriptor is accepted only when signed by a key the pinned one
    holds, for the same node, and by all its own active keys."""
    case = MANIFEST["descriptor_updates"][name]
    pinned = parse_descriptor((VECTORS / case["pinned"]).read_bytes())
    data = (VECTORS / name).read_bytes()
    if case["accepted"]:
        assert parse_descriptor(data, pinned=pinned).node == pinned.node
    else:
        with pytest.raises((VerificationFailed, InvalidInput)):
            parse_descriptor(data, pinned=pinned)
