"""sparrow's data (../shared/conformance/sparrow/): the NATO SPIF, the ACME SPIF and its labels.

sparrow's two labels declare ``xmlns:4774``, which is not a legal namespace prefix, so they are
not well-formed XML: Accord refuses them by default and reads them only with the named tolerance.
"""

from __future__ import annotations

import json

import pytest

from accord.errors import LabelError
from accord.labels.checks import validate
from accord.labels.json_form import simplified
from accord.labels.marking import display_marking
from accord.labels.reading import read_label
from accord.labels.security_policy import PolicySet
from accord.labels.spif import load_policy
from accord.labels.xmlsafe import XmlDefect
from tests.support.conformance import SPARROW, conformance_dir

DATA = conformance_dir() / SPARROW
TOLERATE = frozenset({XmlDefect.INVALID_NAMESPACE_PREFIX})


def _policies() -> PolicySet:
    nato = load_policy((DATA / "nato-spif.xml").read_bytes()).policy
    acme = load_policy((DATA / "acme-spif.xml").read_bytes()).policy
    return PolicySet((nato, acme))


def test_the_nato_policy_loads() -> None:
    nato = _policies().by_id("1.3.26.1.3.1")
    assert nato.name == "NATO"
    assert [c.name for c in nato.by_hierarchy()] == [
        "UNCLASSIFIED",
        "RESTRICTED",
        "CONFIDENTIAL",
        "SECRET",
        "TOP SECRET",
    ]
    assert [t.name for t in nato.tag_sets] == [
        "Additional Sensitivity",
        "Releasable To",
        "Only",
        "Administrative",
        "Context",
    ]


@pytest.mark.parametrize("name", ["label1.xml", "label2.xml"])
def test_the_labels_are_not_well_formed_and_refused_by_default(name: str) -> None:
    with pytest.raises(LabelError, match="Failed to parse QName 'xmlns:4774'"):
        read_label((DATA / name).read_bytes(), _policies())


def test_label2_reads_as_sparrow_reads_it() -> None:
    policies = _policies()
    read = read_label((DATA / "label2.xml").read_bytes(), policies, unsafe_tolerate=TOLERATE)
    assert read.warnings
    acme = policies.by_id(read.label.policy_id)
    assert simplified(read.label, acme) == json.loads((DATA / "label2_simplified.json").read_text())
    assert validate(acme, read.label).valid
    assert display_marking(acme, read.label) == "ACME INTERNAL"


def test_label1_names_values_the_acme_policy_lacks() -> None:
    """sparrow renders label1 without checking it; ACME's Sensitive tag has no GREEN."""
    expected = json.loads((DATA / "label1_simplified.json").read_text())
    assert "GREEN" in expected["Categories"]["Sensitive"]["values"]
    with pytest.raises(LabelError, match="unknown value 'GREEN' for restrictive tag 'Sensitive'"):
        read_label((DATA / "label1.xml").read_bytes(), _policies(), unsafe_tolerate=TOLERATE)
