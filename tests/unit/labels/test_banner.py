"""US banners: parse, render canonically, refuse illegal ones, agree with the USA policy."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import AccordError, LabelError
from accord.labels.banner import (
    CLASSIFICATIONS,
    Banner,
    banner_to_label,
    label_to_banner,
    parse_banner,
)
from accord.labels.checks import validate
from accord.labels.marking import display_marking
from tests.unit.labels.helpers import policy


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("SECRET//REL TO PAK, USA", "SECRET//REL TO USA, PAK"),
        ("secret//rel to usa,pak", "SECRET//REL TO USA, PAK"),
        (
            "TOP SECRET//REL TO NATO, GBR, FVEY, USA, AUS",
            "TOP SECRET//REL TO USA, AUS, GBR, FVEY, NATO",
        ),
        ("TOP  SECRET // NOFORN", "TOP SECRET//NOFORN"),
        ("UNCLASSIFIED", "UNCLASSIFIED"),
        ("CONFIDENTIAL//REL TO USA, IND", "CONFIDENTIAL//REL TO USA, IND"),
    ],
)
def test_banners_parse_to_their_canonical_form(text: str, canonical: str) -> None:
    parsed = parse_banner(text)
    assert parsed.render() == canonical
    assert parse_banner(canonical) == parsed


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SECRT//REL TO USA", "'SECRT' is not a US classification"),
        ("SECRET//REL TO PAK, GBR", "must list USA"),
        ("SECRET//REL TO USA", "NOFORN"),
        ("SECRET//REL TO USA, PAK//NOFORN", "contradict"),
        ("SECRET//REL TO USA, PAK, PAK", "twice"),
        ("SECRET//REL TO USA, XQZ", "neither a country trigraph"),
        ("SECRET//REL TO USA,, PAK", "stray comma"),
        ("SECRET//REL TO", "lists no one"),
        ("SECRET//ORCON", "unsupported control"),
        ("SECRET////NOFORN", "empty field"),
        ("SECRET//NOFORN//NOFORN", "twice"),
        ("UNCLASSIFIED//REL TO USA, PAK", "classified information only"),
        ("", "empty"),
        ("S//NOFORN", "not a US classification"),
    ],
)
def test_illegal_banners_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(LabelError, match=reason):
        parse_banner(text)


def test_banner_and_policy_marking_agree() -> None:
    usa = policy("USA")
    for text in (
        "SECRET//REL TO USA, PAK",
        "TOP SECRET//NOFORN",
        "CONFIDENTIAL",
        "SECRET//REL TO USA, GBR, FVEY",
    ):
        value = banner_to_label(parse_banner(text), usa)
        assert validate(usa, value).valid
        assert display_marking(usa, value) == text
        assert label_to_banner(value, usa).render() == text


def test_a_banner_naming_a_nation_the_policy_lacks_is_refused() -> None:
    with pytest.raises(LabelError, match="no REL TO value BRA"):
        banner_to_label(parse_banner("SECRET//REL TO USA, BRA"), policy("USA"))


NATIONS = ["USA", "PAK", "IND", "GBR", "AUS", "CAN", "NZL", "JPN", "FVEY", "NATO"]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(CLASSIFICATIONS[1:]),
    st.lists(st.sampled_from(NATIONS[1:]), min_size=1, max_size=6, unique=True),
)
def test_any_legal_release_list_round_trips(classification: str, others: list[str]) -> None:
    banner = Banner(classification=classification, rel_to=("USA", *others))
    text = f"{classification}//REL TO " + ", ".join(reversed(banner.rel_to))
    parsed = parse_banner(text)
    assert parsed.rel_to[0] == "USA"
    assert parse_banner(parsed.render()) == parsed
    assert sorted(parsed.rel_to) == sorted(banner.rel_to)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SECRTOPUNLAIFD /,RELTOUSAPAKNOF")), max_size=60))
def test_the_parser_raises_only_accord_errors(text: str) -> None:
    try:
        parsed = parse_banner(text)
    except AccordError:
        return
    assert parse_banner(parsed.render()) == parsed


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_parsed_or_refused(text: str) -> None:
    with contextlib.suppress(AccordError):
        parse_banner(text)
