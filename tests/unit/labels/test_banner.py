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
from accord.labels.label import Label
from accord.labels.marking import display_marking
from tests.support.labels import policy


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


US = policy("USA")
US_CATEGORIES = [c for s in US.tag_sets for t in s.tags for c in t.categories]


@settings(max_examples=400, deadline=None)
@given(
    classification=st.sampled_from([c.lacv for c in US.classifications]),
    chosen=st.sets(st.integers(0, len(US_CATEGORIES) - 1), max_size=6),
)
def test_every_valid_us_label_round_trips_through_its_banner(
    classification: int, chosen: set[int]
) -> None:
    """For any label the USA policy accepts: parse(render(label)) == label; any other label has
    no banner (label_to_banner refuses it, rather than write one the parser would refuse)."""
    label = Label(
        policy_id=US.id,
        classification=classification,
        categories=frozenset(US_CATEGORIES[i].ref for i in chosen),
    )
    if not validate(US, label).valid:
        with pytest.raises(LabelError, match="not valid"):
            label_to_banner(label, US)
        return
    text = label_to_banner(label, US).render()
    assert banner_to_label(parse_banner(text), US) == label


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "SECRET",
                "TOP SECRET",
                "CONFIDENTIAL",
                "UNCLASSIFIED",
                "//",
                "REL TO ",
                "NOFORN",
                "USA",
                "PAK",
                "GBR",
                "TEYE",
                "XKS",
                "FVEY",
                ", ",
                "  ",
                "secret",
                "rel to ",
            ]
        ),
        max_size=10,
    )
)
def test_any_banner_the_parser_accepts_renders_canonically(parts: list[str]) -> None:
    """For any string the parser accepts, render(parse(s)) is its canonical form: parsing the
    rendering gives the same banner, and rendering is a fixed point."""
    try:
        parsed = parse_banner("".join(parts))
    except LabelError:
        return
    canonical = parsed.render()
    assert parse_banner(canonical) == parsed
    assert parse_banner(canonical).render() == canonical


@pytest.mark.parametrize(
    ("label_text", "reason"),
    [
        ("SECRET//REL TO USA", "USA requires one or more of Releasable To"),
        ("UNCLASSIFIED//REL TO USA, GBR", "not allowed at UNCLASSIFIED"),
    ],
)
def test_labels_a_banner_cannot_carry_are_invalid(label_text: str, reason: str) -> None:
    classification, _, listed = label_text.partition("//REL TO ")
    names = {c.name: c for c in US_CATEGORIES}
    label = Label(
        policy_id=US.id,
        classification=US.classification_named(classification).lacv,
        categories=frozenset(names[n].ref for n in listed.split(", ")),
    )
    assert reason in " ".join(validate(US, label).reasons)
    with pytest.raises(LabelError, match=reason):
        label_to_banner(label, US)


def test_tetragraphs_and_non_iso_codes_are_read_and_cui_is_refused_with_its_reason() -> None:
    assert parse_banner("secret//rel to teye, xks, usa").render() == "SECRET//REL TO USA, XKS, TEYE"
    with pytest.raises(LabelError, match="TEYE"):  # the vocabulary is known, the policy lacks it
        banner_to_label(parse_banner("SECRET//REL TO USA, TEYE"), US)
    with pytest.raises(LabelError, match="CUI"):
        parse_banner("CUI//REL TO USA, GBR")
