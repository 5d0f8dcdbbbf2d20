"""Key sets, descriptors (pinning and updates), the keystore, and canonical JSON."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.crypto import keystore
from accord.crypto.canonical import canonical_json, loads_signed, unb64
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.keys import KeyStatus, NodeKeys
from accord.errors import InvalidInput, NotFound, VerificationFailed
from tests.support.envelopes import NOW

KEYS = NodeKeys.generate("usa.example", "USA", NOW, mldsa=True)


def test_a_descriptor_is_signed_by_every_active_signing_key() -> None:
    descriptor = parse_descriptor(describe(KEYS, NOW).encode())
    assert descriptor.node == "usa.example"
    assert sorted(s["alg"] for s in descriptor.signatures) == ["ed25519", "mldsa65"]
    assert all(k.private is None for k in descriptor.keys)


def test_a_tampered_descriptor_is_refused() -> None:
    document = describe(KEYS, NOW).to_dict()
    document["descriptor"]["nation"] = "PAK"
    with pytest.raises(VerificationFailed):
        parse_descriptor(json.dumps(document).encode())
    document = describe(KEYS, NOW).to_dict()
    document["signatures"] = document["signatures"][:1]
    with pytest.raises(VerificationFailed, match="not signed by all"):
        parse_descriptor(json.dumps(document).encode())
    with pytest.raises(InvalidInput):
        parse_descriptor(b"{not json")


def test_updates_must_be_signed_by_a_pinned_key() -> None:
    pinned = parse_descriptor(describe(KEYS, NOW).encode())
    rotated = KEYS.rotate(NOW)
    # After a rotation the superseded keys countersign: partners who pinned them accept it.
    accepted = parse_descriptor(describe(rotated, NOW).encode(), pinned=pinned)
    assert {k.status for k in accepted.keys} == {KeyStatus.ACTIVE, KeyStatus.SUPERSEDED}
    assert len(accepted.signatures) == 4
    # A key set that shares nothing with the pinned one is refused, even under the same name.
    impostor = NodeKeys.generate("usa.example", "USA", NOW)
    with pytest.raises(VerificationFailed, match="not signed by a key already pinned"):
        parse_descriptor(describe(impostor, NOW).encode(), pinned=pinned)
    # So is one whose old keys were retired (no longer able to vouch for the new ones).
    old = [k.id for k in KEYS.active(signing=True)]
    retired = rotated.retire(old[0]).retire(old[1])
    with pytest.raises(VerificationFailed):
        parse_descriptor(describe(retired, NOW).encode(), pinned=pinned)
    other = NodeKeys.generate("other.example", "PAK", NOW)
    with pytest.raises(VerificationFailed, match=r"is for other\.example"):
        parse_descriptor(describe(other, NOW).encode(), pinned=pinned)


def test_key_lifecycle() -> None:
    rotated = KEYS.rotate(NOW)
    assert len(rotated.active(signing=True)) == 2
    old = KEYS.active(signing=True)[0].id
    assert rotated.key(old).status is KeyStatus.SUPERSEDED
    with pytest.raises(InvalidInput, match="rotate before retiring"):
        KEYS.retire(old)
    retired = rotated.retire(old)
    assert retired.key(old).status is KeyStatus.RETIRED
    assert retired.key(old).private is None
    assert rotated.revoke(old[:10]).key(old).status is KeyStatus.REVOKED
    with pytest.raises(NotFound):
        KEYS.key("nonexistent")


def test_private_keys_never_show_in_repr() -> None:
    text = repr(KEYS)
    for record in KEYS.keys:
        assert record.private is not None
        assert record.private.hex() not in text


def test_keystore_with_and_without_a_passphrase() -> None:
    plain = keystore.dump(KEYS, None)
    assert keystore.load(plain, None) == KEYS
    sealed = keystore.dump(KEYS, b"correct horse")
    assert keystore.is_sealed(sealed)
    assert b"private" not in sealed
    assert keystore.load(sealed, b"correct horse") == KEYS
    with pytest.raises(InvalidInput, match="wrong passphrase"):
        keystore.load(sealed, b"wrong horse")
    with pytest.raises(InvalidInput, match="ACCORD_KEY_PASSPHRASE"):
        keystore.load(sealed, None)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=8), children, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_json_is_rfc_8785(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)
    assert loads_signed(canonical_json(value)) == value


def test_the_signed_subset_is_enforced() -> None:
    for bad in (1.5, 2**60, {"é": 1}, b"bytes"):
        with pytest.raises(InvalidInput):
            canonical_json(bad)
    for text in (b'{"a":1,"a":2}', b"[1.5]", b"[NaN]", b"[9007199254740993]"):
        with pytest.raises(InvalidInput):
            loads_signed(text)


def test_only_canonical_base64_is_accepted() -> None:
    assert unb64("AA==", "x", max_bytes=4) == b"\x00"
    for bad in ("AB==", "AAB=", "A A=", "AA=", "AA==\n", "ÅA=="):
        with pytest.raises(InvalidInput):
            unb64(bad, "x", max_bytes=4)
    with pytest.raises(InvalidInput, match="at most"):
        unb64("AAAAAAAA", "x", max_bytes=3)
