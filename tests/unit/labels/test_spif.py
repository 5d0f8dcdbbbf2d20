"""The XML-SPIF loader: what it reads, and every way a policy is refused with its reason."""

from __future__ import annotations

import pytest

from accord.errors import PolicyError
from accord.labels.model import MarkingCode, TagType
from accord.labels.spif import load_policy

HEAD = '<SPIF xmlns="http://www.xmlspif.org/spif"><securityPolicyId name="T" id="1.2.3"/>'


def spif(classifications: str, tag_sets: str = "", extra: str = "") -> bytes:
    return (
        f"{HEAD}{extra}<securityClassifications>{classifications}</securityClassifications>"
        f"<securityCategoryTagSets>{tag_sets}</securityCategoryTagSets></SPIF>"
    ).encode()


LOW = '<securityClassification name="LOW" lacv="1" hierarchy="1"/>'
HIGH = '<securityClassification name="HIGH" lacv="2" hierarchy="2"/>'


def tag_set(
    categories: str, tag_type: str = 'tagType="permissive"', name: str = "S", id_: str = "1.2.3.1"
) -> str:
    return (
        f'<securityCategoryTagSet name="{name}" id="{id_}">'
        f'<securityCategoryTag name="{name}" {tag_type}>{categories}</securityCategoryTag>'
        "</securityCategoryTagSet>"
    )


def test_a_small_policy_loads_with_its_rules() -> None:
    data = spif(
        LOW + HIGH,
        tag_set(
            '<tagCategory name="A" lacv="1"><excludedClass>LOW</excludedClass>'
            '<markingData phrase="AAA"><code>pageTop</code></markingData></tagCategory>'
            '<tagCategory name="B" lacv="002" obsolete="true"/>',
        ),
    )
    policy = load_policy(data).policy
    assert (policy.id, policy.name) == ("1.2.3", "T")
    assert [c.name for c in policy.by_hierarchy()] == ["LOW", "HIGH"]
    a = policy.find_category("1.2.3.1", TagType.PERMISSIVE, 1)
    assert a.excluded_classes == frozenset({1})
    marking = a.markings.for_language("")
    assert marking is not None
    assert marking.phrases[0].codes == MarkingCode.PAGE_TOP
    assert policy.find_category("1.2.3.1", TagType.PERMISSIVE, 2).obsolete


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<policy/>", "not an XML-SPIF policy"),
        (b'<SPIF xmlns="http://www.xmlspif.org/spif"/>', "no securityPolicyId"),
        (spif(""), "no securityClassifications"),
        (spif(LOW + LOW.replace("LOW", "OTHER")), "Duplicate classification OTHER"),
        (spif(LOW + HIGH.replace("HIGH", "LOW")), "Duplicate classification name LOW"),
        (spif(LOW.replace('lacv="1"', 'lacv="one"')), "not a non-negative integer"),
        (spif(LOW.replace(' hierarchy="1"', "")), "has no hierarchy"),
        (
            spif(
                LOW,
                tag_set(
                    '<tagCategory name="A" lacv="1"><excludedClass>NONE</excludedClass></tagCategory>'
                ),
            ),
            "Unknown classification in exclusion: NONE",
        ),
        (
            spif(
                LOW,
                tag_set(
                    '<tagCategory name="A" lacv="1"><excludedClass>LOW</excludedClass><excludedClass>LOW</excludedClass></tagCategory>'
                ),
            ),
            "Duplicate excluded classification in category A",
        ),
        (
            spif(LOW, tag_set('<tagCategory name="A" lacv="1"/><tagCategory name="B" lacv="1"/>')),
            "Duplicate category lacv 1",
        ),
        (
            spif(LOW, tag_set('<tagCategory name="A" lacv="1"/><tagCategory name="A" lacv="2"/>')),
            "Duplicate category name A",
        ),
        (
            spif(LOW, tag_set('<tagCategory name="A" lacv="1"/>', 'tagType="sideways"')),
            "unknown tagType 'sideways'",
        ),
        (
            spif(LOW, tag_set('<tagCategory name="A" lacv="1"/>', 'tagType="tagType7"')),
            "has no tag7Encoding",
        ),
        (
            spif(
                LOW,
                tag_set('<tagCategory name="A" lacv="1"/>') + tag_set("", name="T", id_="1.2.3.1"),
            ),
            "Duplicate TagSet id",
        ),
        (
            spif(
                LOW,
                tag_set(
                    '<tagCategory name="A" lacv="1"><requiredCategory operation="all"><categoryGroup tagSetRef="Nope" tagType="permissive" lacv="1"/></requiredCategory></tagCategory>'
                ),
            ),
            "unknown tag set 'Nope'",
        ),
        (
            spif(
                LOW,
                tag_set(
                    '<tagCategory name="A" lacv="1"><requiredCategory operation="some"><categoryGroup tagSetRef="S" tagType="permissive"/></requiredCategory></tagCategory>'
                ),
            ),
            "unknown requiredCategory operation",
        ),
        (
            spif(
                LOW.replace(
                    "/>",
                    '><equivalentClassification policyRef="X" lacv="1" applied="both"/></securityClassification>',
                )
            ),
            "PolicyRef not found",
        ),
        (
            spif(
                LOW.replace(
                    "/>",
                    "><markingData><code>sideways</code></markingData></securityClassification>",
                )
            ),
            "Unknown marking code",
        ),
        (spif(LOW, tag_set('<tagCategory name="A" lacv="70000"/>')), "bitmap lacv 70000"),
        (b'<!DOCTYPE SPIF [<!ENTITY x "y">]>' + spif(LOW), "DOCTYPE"),
        (b"", "no data to parse"),
    ],
)
def test_a_broken_policy_is_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PolicyError, match=reason):
        load_policy(data)


def test_an_oversized_policy_is_refused_before_parsing() -> None:
    with pytest.raises(PolicyError, match="over the limit"):
        load_policy(spif(LOW), limit=50)


def test_language_specific_qualifiers_fall_back_to_the_common_ones() -> None:
    data = spif(
        LOW,
        '<securityCategoryTagSet name="S" id="1.2.3.1"><securityCategoryTag name="S" tagType="permissive">'
        '<tagCategory name="A" lacv="1"/>'
        '<markingQualifier><qualifier markingQualifier="To " qualifierCode="prefix"/>'
        '<qualifier xml:lang="fr" markingQualifier="A " qualifierCode="prefix"/>'
        '<qualifier markingQualifier=", " qualifierCode="separator"/></markingQualifier>'
        "</securityCategoryTag></securityCategoryTagSet>",
    )
    policy = load_policy(data).policy
    tag = policy.tag_sets[0].tags[0]
    french = tag.markings.for_language("fr-CA")
    assert french is not None
    assert (french.prefix, french.separator) == ("A ", ", ")
    default = tag.markings.for_language("de")
    assert default is not None
    assert default.prefix == "To "
