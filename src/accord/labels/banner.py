"""US classification banner lines: ``SECRET//REL TO USA, PAK``, ``TOP SECRET//NOFORN``.

The grammar Accord reads and writes (after the US marking system's register of markings, for
the controls Accord supports):

- fields separated by ``//``: the classification first (UNCLASSIFIED, CONFIDENTIAL, SECRET,
  TOP SECRET, in full), then dissemination controls;
- ``REL TO`` lists USA first, then trigraphs (ISO 3166-1 alpha-3, and the few codes outside ISO
  3166 that the intelligence community's REL TO list carries, such as XKS for Kosovo) in
  alphabetical order, then tetragraphs (coalitions: FVEY, NATO, TEYE ...) in alphabetical
  order, separated by ``, ``. USA must be listed, and at least one other: information for the
  United States alone is ``NOFORN``;
- ``NOFORN`` (not releasable to foreign nationals) excludes ``REL TO``;
- REL TO applies to classified information only. ``CUI//REL TO USA, GBR`` is a legitimate US
  marking of controlled unclassified information, but Accord's US policy has no CUI category:
  such a banner is refused with that reason rather than read as UNCLASSIFIED, which would drop
  its controls.

The parser knows the vocabulary (every trigraph and tetragraph of the REL TO list); whether a
policy can carry a value is the policy's to say (``banner_to_label`` names what it lacks).
Input may be in any case and order; rendering is canonical, so parse(render(b)) == b and
render(parse(s)) is the one correct spelling of s; ``label_to_banner`` renders only labels their
policy finds valid, so every banner it writes parses back to the same label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry

from accord.errors import LabelError
from accord.labels.checks import validate
from accord.labels.label import Label
from accord.labels.security_policy import SecurityPolicy

CLASSIFICATIONS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
#: Tetragraphs: the coalitions a REL TO list may name, after the Office of the Director of National
#: Intelligence's ISM Country Codes and Tetragraphs taxonomy (ISMCAT, CVEnumISMCATTetragraph, as
#: published with the ISM schema). Evidence grade: secondary: the values whose meaning is publicly
#: documented, not a copy of the controlled list, which has a few more (suppressed values among
#: them); a deployment checks this set against the ISMCAT release it is accredited for.
TETRAGRAPHS = frozenset(
    {
        "ACGU",  # Australia, Canada, the United Kingdom and the United States (four eyes)
        "BWCS",  # Biological Weapons Convention states
        "CFCK",  # Combined Forces Command, Korea
        "CMFC",  # Combined Maritime Forces
        "CMFP",  # Combined Maritime Forces, Pakistan
        "CPMT",  # Civilian Protection Monitoring Team (Sudan)
        "CWCS",  # Chemical Weapons Convention states
        "EFOR",  # European Union Force (Bosnia and Herzegovina)
        "FVEY",  # Five Eyes
        "GCTF",  # Global Counter-Terrorism Forces
        "GMIF",  # Global Maritime Interception Forces
        "IESC",  # International Events Security Coalition
        "ISAF",  # International Security Assistance Force (Afghanistan)
        "KFOR",  # Kosovo Force
        "MCFI",  # Multinational Coalition Forces, Iraq
        "MIFH",  # Multinational Interim Force, Haiti
        "MLEC",  # Multi-Lateral Enduring Contingency
        "NACT",  # North African Counter-Terrorism forces
        "NATO",  # North Atlantic Treaty Organization
        "TEYE",  # Three Eyes (Australia, the United Kingdom, the United States)
        "UNCK",  # United Nations Command, Korea
    }
)
#: Country codes of the REL TO list that are not ISO 3166-1 alpha-3 (same source).
NON_ISO_TRIGRAPHS = frozenset({"XKS"})  # Kosovo
MAX_BANNER = 1024
RELEASABLE_TO = "Releasable To"
DISSEMINATION = "Dissemination"
NOFORN = "NOFORN"


def _is_trigraph(code: str) -> bool:
    return len(code) == 3 and (
        code in NON_ISO_TRIGRAPHS or pycountry.countries.get(alpha_3=code) is not None
    )


def rel_to_order(code: str) -> tuple[int, str]:
    """USA, then trigraphs A-Z, then tetragraphs A-Z."""
    if code == "USA":
        return (0, code)
    return (1 if len(code) == 3 else 2, code)


@dataclass(frozen=True, slots=True, kw_only=True)
class Banner:
    classification: str
    rel_to: tuple[str, ...] = ()
    noforn: bool = False

    def render(self) -> str:
        fields = [self.classification]
        if self.rel_to:
            fields.append("REL TO " + ", ".join(self.rel_to))
        if self.noforn:
            fields.append(NOFORN)
        return "//".join(fields)

    def to_dict(self) -> dict[str, object]:
        return {
            "classification": self.classification,
            "rel_to": list(self.rel_to),
            "noforn": self.noforn,
            "banner": self.render(),
        }


def _rel_to(field: str) -> tuple[str, ...]:
    listed = field.removeprefix("REL TO").strip()
    if not listed:
        raise LabelError("REL TO lists no one")
    codes = [c.strip() for c in listed.split(",")]
    if any(not c for c in codes):
        raise LabelError("REL TO has an empty entry (a stray comma)")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise LabelError(f"REL TO lists {code} twice")
        seen.add(code)
        if not (_is_trigraph(code) or code in TETRAGRAPHS):
            raise LabelError(
                f"REL TO: {code!r} is neither a country trigraph nor a known tetragraph"
            )
    if "USA" not in seen:
        raise LabelError("REL TO on a US banner must list USA")
    if len(seen) == 1:
        raise LabelError("REL TO USA alone releases to no foreign nation: mark it NOFORN")
    return tuple(sorted(seen, key=rel_to_order))


def parse_banner(text: str) -> Banner:
    """Parse a banner line, refusing anything that is not a legal US banner."""
    if len(text) > MAX_BANNER:
        raise LabelError(f"a banner is at most {MAX_BANNER} characters")
    normalized = re.sub(r"[ \t]+", " ", text.strip().upper())
    if not normalized:
        raise LabelError("the banner is empty")
    fields = [f.strip() for f in normalized.split("//")]
    classification = fields[0]
    if classification == "CUI":
        raise LabelError(
            "CUI (controlled unclassified information) is a US marking Accord's US policy does "
            "not carry: mark the information UNCLASSIFIED only if its controls allow"
        )
    if classification not in CLASSIFICATIONS:
        raise LabelError(
            f"{classification!r} is not a US classification ({', '.join(CLASSIFICATIONS)})"
        )
    rel_to: tuple[str, ...] = ()
    noforn = False
    for field in fields[1:]:
        if not field:
            raise LabelError("the banner has an empty field (////)")
        if field == NOFORN:
            if noforn:
                raise LabelError("NOFORN appears twice")
            noforn = True
        elif field == "REL TO" or field.startswith("REL TO "):
            if rel_to:
                raise LabelError("REL TO appears twice")
            rel_to = _rel_to(field)
        else:
            raise LabelError(f"unsupported control {field!r} (Accord reads REL TO and NOFORN)")
    if noforn and rel_to:
        raise LabelError("NOFORN and REL TO contradict each other")
    if rel_to and classification == "UNCLASSIFIED":
        raise LabelError("REL TO applies to classified information only")
    return Banner(classification=classification, rel_to=rel_to, noforn=noforn)


def banner_to_label(banner: Banner, policy: SecurityPolicy) -> Label:
    """The label under ``policy`` (a US-style national policy) that the banner stands for."""
    classification = policy.classification_named(banner.classification)
    refs = set()
    if banner.rel_to:
        values = policy.categories_named(RELEASABLE_TO, "PERMISSIVE")
        for code in banner.rel_to:
            if code not in values:
                raise LabelError(f"policy {policy.name} has no REL TO value {code}")
            refs.add(values[code].ref)
    if banner.noforn:
        controls = policy.categories_named(DISSEMINATION, "RESTRICTIVE")
        if NOFORN not in controls:
            raise LabelError(f"policy {policy.name} has no NOFORN")
        refs.add(controls[NOFORN].ref)
    return Label(
        policy_id=policy.id, classification=classification.lacv, categories=frozenset(refs)
    )


def label_to_banner(label: Label, policy: SecurityPolicy) -> Banner:
    """The banner of a label under a US-style policy. Only a label its policy finds valid has a
    banner (so every banner written here parses back to the same label); categories a banner
    cannot show are refused."""
    if label.policy_id != policy.id or label.classification is None:
        raise LabelError("the label does not belong to this policy or has no classification")
    validity = validate(policy, label)
    if not validity.valid:
        raise LabelError("the label is not valid: " + "; ".join(validity.reasons))
    rel_to: list[str] = []
    noforn = False
    for category in policy.sorted_categories(label.categories):
        if category.tag_set_name == RELEASABLE_TO:
            rel_to.append(category.name)
        elif category.tag_set_name == DISSEMINATION and category.name == NOFORN:
            noforn = True
        else:
            raise LabelError(f"a US banner cannot show {category.name} ({category.tag_name})")
    classification = policy.classification(label.classification).name
    return Banner(
        classification=classification,
        rel_to=tuple(sorted(rel_to, key=rel_to_order)),
        noforn=noforn,
    )
