"""Accord's USA, PAK, IND and NATO policies: markings, validity, equivalence, ACDF."""

from __future__ import annotations

import pytest

from accord.errors import LabelError
from accord.labels.checks import acdf, validate
from accord.labels.equivalence import dominant, translate
from accord.labels.label import Clearance
from accord.labels.marking import display_marking
from accord.labels.national import SHIPPED, national_policy, shipped_policies
from tests.support.labels import label, policy, rel_to


def test_every_shipped_policy_loads_with_its_own_id_and_name() -> None:
    policies = shipped_policies()
    assert [p.name for p in policies] == list(SHIPPED)
    assert policies.by_name("NATO").id == "1.3.26.1.3.1"
    for nation in ("USA", "PAK", "IND"):
        assert national_policy(nation).id.startswith("2.25.")


@pytest.mark.parametrize(
    ("nation", "classification", "nations", "marking"),
    [
        ("USA", "SECRET", ("PAK", "USA"), "SECRET//REL TO USA, PAK"),
        (
            "USA",
            "TOP SECRET",
            ("NATO", "GBR", "USA", "FVEY", "AUS"),
            "TOP SECRET//REL TO USA, AUS, GBR, FVEY, NATO",
        ),
        ("USA", "UNCLASSIFIED", (), "UNCLASSIFIED"),
        ("PAK", "SECRET", ("USA", "PAK"), "SECRET - RELEASABLE TO PAK, USA"),
        ("PAK", "RESTRICTED", (), "RESTRICTED"),
        ("IND", "CONFIDENTIAL", ("USA", "IND"), "CONFIDENTIAL / RELEASABLE TO IND, USA"),
        ("NATO", "SECRET", (), "NATO SECRET"),
        ("NATO", "TOP SECRET", (), "COSMIC TOP SECRET"),
        ("NATO", "CONFIDENTIAL", ("PAK",), "NATO CONFIDENTIAL Releasable to PAK"),
    ],
)
def test_markings_read_as_each_nation_writes_them(
    nation: str, classification: str, nations: tuple[str, ...], marking: str
) -> None:
    value = rel_to(nation, classification, *nations)
    assert validate(policy(nation), value).valid
    assert display_marking(policy(nation), value) == marking


def test_noforn_and_the_national_caveats() -> None:
    noforn = label("USA", "SECRET", ("Dissemination", "NOFORN"))
    assert display_marking(policy("USA"), noforn) == "SECRET//NOFORN"
    eyes = label("PAK", "TOP SECRET", ("Dissemination", "PAKISTAN EYES ONLY"))
    assert display_marking(policy("PAK"), eyes) == "TOP SECRET - PAKISTAN EYES ONLY"


def test_india_marks_in_hindi_when_asked() -> None:
    value = rel_to("IND", "SECRET", "IND", "USA")
    assert display_marking(policy("IND"), value, language="hi") == "गुप्त / RELEASABLE TO IND, USA"
    assert display_marking(policy("IND"), value, language="hi-IN").startswith("गुप्त")
    assert display_marking(policy("IND"), value, language="fr").startswith("SECRET")


def test_a_release_list_without_the_originating_nation_is_invalid() -> None:
    validity = validate(policy("USA"), rel_to("USA", "SECRET", "PAK"))
    assert not validity.valid
    assert "PAK requires Releasable To USA" in validity.reasons


def test_noforn_with_a_release_list_is_invalid() -> None:
    value = label(
        "USA",
        "SECRET",
        ("Dissemination", "NOFORN"),
        ("Releasable To", "USA"),
        ("Releasable To", "PAK"),
    )
    validity = validate(policy("USA"), value)
    assert not validity.valid
    assert any("NOFORN excludes" in r for r in validity.reasons)


def test_us_rel_to_is_for_classified_information() -> None:
    assert not validate(policy("USA"), rel_to("USA", "UNCLASSIFIED", "USA", "PAK")).valid


def test_translation_to_the_partner_policy_keeps_the_release_list() -> None:
    original = rel_to("USA", "SECRET", "USA", "PAK")
    translated = translate(original, policy("USA"), policy("PAK"))
    assert display_marking(policy("PAK"), translated) == "SECRET - RELEASABLE TO PAK, USA"
    assert validate(policy("PAK"), translated).valid
    assert original == rel_to("USA", "SECRET", "USA", "PAK")  # the originator's label unchanged


def test_foreign_restricted_is_protected_as_us_confidential() -> None:
    translated = translate(rel_to("PAK", "RESTRICTED", "PAK", "USA"), policy("PAK"), policy("USA"))
    assert display_marking(policy("USA"), translated) == "CONFIDENTIAL//REL TO USA, PAK"


def test_noforn_has_no_equivalent_so_translation_fails_closed() -> None:
    noforn = label("USA", "SECRET", ("Dissemination", "NOFORN"))
    with pytest.raises(LabelError, match=r"NOFORN .* no equivalent under policy PAK"):
        translate(noforn, policy("USA"), policy("PAK"))


def test_us_information_not_released_to_pakistan_is_invalid_there() -> None:
    translated = translate(rel_to("USA", "SECRET", "USA", "IND"), policy("USA"), policy("PAK"))
    assert not validate(policy("PAK"), translated).valid


def test_acdf_needs_the_level_and_one_release_value() -> None:
    pak = policy("PAK")
    value = translate(rel_to("USA", "SECRET", "USA", "PAK"), policy("USA"), pak)
    rel = {c.name: c.ref for t in pak.tag_sets for tag in t.tags for c in tag.categories}
    officer = Clearance(
        policy_id=pak.id,
        classifications=frozenset({1, 2, 3, 4}),
        categories=frozenset({rel["PAK"]}),
    )
    assert acdf(pak, value, officer).granted
    low = Clearance(
        policy_id=pak.id, classifications=frozenset({1, 2, 3}), categories=frozenset({rel["PAK"]})
    )
    decision = acdf(pak, value, low)
    assert not decision.granted
    assert "does not include SECRET" in decision.reason
    stranger = Clearance(
        policy_id=pak.id, classifications=frozenset({4}), categories=frozenset({rel["GBR"]})
    )
    assert "holds none of Releasable To" in acdf(pak, value, stranger).reason


def test_acdf_denies_an_invalid_label_and_a_foreign_clearance() -> None:
    usa = policy("USA")
    bad = rel_to("USA", "SECRET", "PAK")
    cleared = Clearance(policy_id=usa.id, classifications=frozenset({1, 3, 4, 5}))
    assert "not valid" in acdf(usa, bad, cleared).reason
    foreign = Clearance(policy_id=policy("PAK").id, classifications=frozenset({4}))
    assert not acdf(usa, rel_to("USA", "SECRET", "USA", "PAK"), foreign).granted


def test_dominant_label_takes_the_highest_level_and_the_common_release_list() -> None:
    a = rel_to("USA", "SECRET", "USA", "PAK", "GBR")
    b = rel_to("USA", "CONFIDENTIAL", "USA", "PAK", "IND")
    combined = dominant([a, b], policy("USA"))
    assert display_marking(policy("USA"), combined) == "SECRET//REL TO USA, PAK"


def test_dominant_label_keeps_every_restrictive_category() -> None:
    a = label("USA", "SECRET", ("Dissemination", "NOFORN"))
    b = rel_to("USA", "TOP SECRET", "USA", "PAK")
    combined = dominant([a, b], policy("USA"))
    assert display_marking(policy("USA"), combined) == "TOP SECRET//REL TO USA, PAK//NOFORN"
    assert not validate(policy("USA"), combined).valid  # NOFORN and REL TO: say so, do not hide it


def test_dominant_refuses_disjoint_release_lists_and_mixed_policies() -> None:
    with pytest.raises(LabelError, match="nothing in common"):
        dominant([rel_to("NATO", "SECRET", "PAK"), rel_to("NATO", "SECRET", "IND")], policy("NATO"))
    only_usa = dominant(
        [rel_to("USA", "SECRET", "USA", "PAK"), rel_to("USA", "SECRET", "USA", "IND")],
        policy("USA"),
    )
    assert display_marking(policy("USA"), only_usa) == "SECRET//REL TO USA"
    with pytest.raises(LabelError):
        dominant(
            [rel_to("USA", "SECRET", "USA", "PAK"), rel_to("PAK", "SECRET", "PAK")], policy("USA")
        )
    with pytest.raises(LabelError):
        dominant([], policy("USA"))
