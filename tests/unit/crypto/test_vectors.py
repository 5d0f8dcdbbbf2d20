"""The published envelope test vectors (tests/vectors/envelope/): every valid one opens to its
plaintext, every invalid one is refused, and the script that made them still works."""

from __future__ import annotations

import io
import json
import runpy
from pathlib import Path

import pytest

from accord.crypto.descriptor import parse_descriptor
from accord.crypto.envelope import EnvelopeError, open_envelope
from accord.crypto.keys import NodeKeys

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
def test_invalid_vectors_are_refused(name: str) -> None:
    with pytest.raises(EnvelopeError):
        _open(name, MANIFEST["invalid"][name])


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
