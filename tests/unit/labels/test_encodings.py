"""Every encoding round-trips; hostile and broken inputs give Accord's own errors."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import AccordError, InvalidInput, LabelError
from accord.labels import ess_ber, json_form, spiffing_xml, stanag4774, xep0258
from accord.labels.equivalence import translate
from accord.labels.label import Clearance, Label
from accord.labels.national import shipped_policies
from accord.labels.reading import read_clearance, read_label
from accord.labels.xmlsafe import read_xml
from tests.support.labels import label, policy, rel_to

POLICIES = shipped_policies()
CREATED = "2026-11-22T08:00:00Z"

SAMPLES = [
    rel_to("USA", "SECRET", "USA", "PAK"),
    rel_to("USA", "TOP SECRET", "USA", "AUS", "CAN", "GBR", "NZL", "FVEY"),
    label("USA", "CONFIDENTIAL", ("Dissemination", "NOFORN")),
    rel_to("USA", "UNCLASSIFIED"),
    rel_to("PAK", "RESTRICTED", "PAK", "USA"),
    rel_to("IND", "SECRET", "IND", "USA", "NATO"),
    rel_to("NATO", "TOP SECRET"),
]


def _parse(data: bytes) -> Label:
    return read_label(data, POLICIES).label


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: str(v.classification))
def test_stanag_4774_round_trip_with_creation_time(value: Label) -> None:
    data = stanag4774.write_label(value, POLICIES.by_id(value.policy_id), created=CREATED)
    assert b"<CreationDateTime>2026-11-22T08:00:00Z</CreationDateTime>" in data
    back = _parse(data)
    assert back.same_content(value)
    assert back.created == CREATED


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: str(v.classification))
def test_ber_round_trip_is_der(value: Label) -> None:
    data = ess_ber.encode_label(value, POLICIES.by_id(value.policy_id))
    assert _parse(data) == value
    assert ess_ber.encode_label(_parse(data), POLICIES.by_id(value.policy_id)) == data


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: str(v.classification))
def test_json_round_trip_is_lossless(value: Label) -> None:
    document = json_form.label_to_dict(value)
    assert json_form.label_from_dict(document) == value
    assert _parse(json.dumps(document).encode()) == value


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: str(v.classification))
def test_spiffing_xml_round_trip(value: Label) -> None:
    assert _parse(spiffing_xml.write_label(value)) == value


def test_json_keeps_privacy_mark_and_creation_time() -> None:
    value = Label(
        policy_id=policy("USA").id, classification=4, privacy_mark="EXERCISE ONLY", created=CREATED
    )
    assert json_form.label_from_dict(json_form.label_to_dict(value)) == value
    ber = ess_ber.encode_label(value, policy("USA"))
    assert _parse(ber).privacy_mark == "EXERCISE ONLY"


def test_xep_0258_carries_marking_ber_and_equivalents() -> None:
    original = rel_to("USA", "SECRET", "USA", "PAK")
    equivalent = translate(original, policy("USA"), policy("PAK"))
    data = xep0258.write(original, POLICIES, equivalents=(equivalent,))
    element = xep0258.read(read_xml(data, what="label", limit=65536), POLICIES)
    assert element.label == original
    assert element.equivalents == (equivalent,)
    assert element.display_marking == "SECRET//REL TO USA, PAK"
    assert _parse(data) == original


def test_clearance_round_trips() -> None:
    usa = policy("USA")
    noforn = label("USA", "SECRET", ("Dissemination", "NOFORN")).categories
    clearance = Clearance(policy_id=usa.id, classifications=frozenset({1, 3, 4}), categories=noforn)
    assert read_clearance(spiffing_xml.write_clearance(clearance), POLICIES) == clearance
    text = json.dumps(json_form.clearance_to_dict(clearance)).encode()
    assert read_clearance(text, POLICIES) == clearance


# -- refusals ------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<label xmlns="http://surevine.com/xmlns/spiffy"><policy id="1.1">&x;</policy></label>"""
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><label>&c;</label>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (XXE, "DOCTYPE or entity declaration is not allowed"),
        (BOMB, "DOCTYPE or entity declaration is not allowed"),
        (b"<label xmlns='http://surevine.com/xmlns/spiffy'><policy", "malformed XML"),
        (b"", "No data to parse"),
        (b"   \n", "No data to parse"),
        (b"<label xmlns='urn:other'/>", "Not a STANAG 4774 label"),
        (b'{"policy": "1.1"}', "needs policy and classification"),
        (b'{"policy": "1.2.3", "classification": 4}', "Unknown policy id: 1.2.3"),
        (b"{not json", "malformed JSON"),
        (b"\x31\x03\x06\x01\x29", "Unknown policy id: 1.1"),
        (b"\x31\x80\x00", "Failed to parse BER"),
        (b"\x30\x00", "Failed to parse BER"),
        (
            b"SECRET//REL TO USA, PAK\n",
            r"not a label document: neither XML, JSON nor BER; "
            r"it holds the text 'SECRET//REL TO USA, PAK'",
        ),
        (b"\x02\x01\x00", "not a label document: neither XML, JSON nor BER$"),
    ],
)
def test_hostile_and_broken_labels_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        read_label(data, POLICIES)


def test_oversized_input_is_refused_before_parsing() -> None:
    with pytest.raises(LabelError, match="over the limit"):
        read_label(b"<a>" + b" " * 2000 + b"</a>", POLICIES, limit=1000)
    with pytest.raises(InvalidInput, match="over the limit"):
        read_xml(b"<a/>" + b" " * 100, what="x", limit=10)


def test_unknown_values_are_named() -> None:
    text = stanag4774.write_label(
        rel_to("USA", "SECRET", "USA", "PAK"), policy("USA"), created=CREATED
    )
    with pytest.raises(LabelError, match="unknown value 'XYZ'"):
        _parse(text.replace(b">PAK<", b">XYZ<"))
    with pytest.raises(LabelError, match="no classification named 'SECRT'"):
        _parse(text.replace(b">SECRET<", b">SECRT<"))
    with pytest.raises(LabelError, match="not an xs:dateTime"):
        _parse(text.replace(CREATED.encode(), b"yesterday"))


def test_4774_writer_requires_creation_time() -> None:
    with pytest.raises(LabelError, match="CreationDateTime"):
        stanag4774.write_label(rel_to("USA", "SECRET", "USA", "PAK"), policy("USA"))


def test_xep_0258_refuses_bad_base64() -> None:
    data = xep0258.write(rel_to("USA", "SECRET", "USA", "PAK"), POLICIES)
    content = data.index(b">", data.index(b"<esssecuritylabel")) + 1
    broken = data[:content] + b"!" + data[content:]
    with pytest.raises(LabelError, match="base64"):
        _parse(broken)


# -- fuzzing: only Accord's own errors, never a crash --------------------------------------

SEED_BER = ess_ber.encode_label(SAMPLES[1], policy("USA"))
SEED_XML = stanag4774.write_label(SAMPLES[1], policy("USA"), created=CREATED)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_ber_reader_raises_only_accord_errors_on_random_bytes(data: bytes) -> None:
    with contextlib.suppress(AccordError):
        ess_ber.decode_label(data, POLICIES)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(SEED_BER) - 1), st.integers(min_value=0, max_value=255)
)
def test_ber_reader_survives_every_mutation(position: int, value: int) -> None:
    mutated = bytearray(SEED_BER)
    mutated[position] = value
    with contextlib.suppress(AccordError):
        ess_ber.decode_label(bytes(mutated), POLICIES)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED_XML) - 1), st.binary(min_size=1, max_size=4))
def test_xml_reader_survives_every_mutation(position: int, insert: bytes) -> None:
    mutated = SEED_XML[:position] + insert + SEED_XML[position + 1 :]
    with contextlib.suppress(AccordError):
        read_label(mutated, POLICIES)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_label_raises_only_accord_errors(text: str) -> None:
    with contextlib.suppress(AccordError):
        read_label(text.encode("utf-8"), POLICIES)


def test_base64_of_a_label_is_not_a_label() -> None:
    with pytest.raises(AccordError):
        read_label(base64.b64encode(SEED_BER), POLICIES)
