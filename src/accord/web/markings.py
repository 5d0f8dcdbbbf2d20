"""The console's banners: the marking of what a page shows, at its top and bottom, as classified
systems show them (DoDM 5200.01 Vol. 2, Enclosure 3: the overall classification conspicuously at
the top and bottom of each page; the colours of US systems' banners, ICD 710 / CAPCO: UNCLASSIFIED
green, CONFIDENTIAL blue, SECRET red, TOP SECRET orange).

Every marking is written in the user's national policy: a label of another policy is first
translated into it (its equivalence rules). A page's banner is the highest of what it shows; a
page that shows no labelled content carries the node's system-high level (``system_high``). A
classification of another policy takes the colour its SPIF gives (``color``), else the colour of
the US level its name holds, else grey: documented in docs/console.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accord.errors import AccordError
from accord.labels.equivalence import translate
from accord.labels.label import Label
from accord.labels.marking import display_marking
from accord.labels.security_policy import PolicySet, SecurityPolicy

#: US banner colours by level: the stylesheet's ``marking-<colour>`` classes (console.css holds
#: the colours themselves, since the pages allow no inline style).
US_COLOURS: dict[str, str] = {
    "UNCLASSIFIED": "green",
    "CONFIDENTIAL": "blue",
    "SECRET": "red",
    "TOP SECRET": "orange",
}
#: The colours a SPIF's ``color`` attribute may name that the stylesheet has.
NAMED_COLOURS = frozenset({"green", "blue", "red", "orange", "yellow", "purple", "grey"})
#: Where neither the policy nor the name says: a neutral grey, never a colour of another level.
DEFAULT_COLOUR = "grey"


@dataclass(frozen=True, slots=True)
class Banner:
    """A marking as a banner shows it: its text, its rank (the classification's hierarchy in the
    user's policy, for "the highest of"), and its colour (a stylesheet class's suffix)."""

    text: str
    rank: int
    colour: str


def _colour(policy: SecurityPolicy, lacv: int) -> str:
    classification = policy.classification(lacv)
    given = (classification.color or "").strip().lower().replace("gray", "grey")
    if given in NAMED_COLOURS:
        return given
    name = classification.name.upper()
    for level in sorted(US_COLOURS, key=len, reverse=True):  # TOP SECRET before SECRET
        if re.search(rf"\b{level}\b", name):
            return US_COLOURS[level]
    return DEFAULT_COLOUR


def banner_of(label: Label, policies: PolicySet, reader: SecurityPolicy) -> Banner:
    """The banner of ``label`` in the reader's national policy. A label that cannot be
    translated is shown as the reader's highest level, never lower (fail closed)."""
    try:
        source = policies.by_id(label.policy_id)
        local = translate(label, source, reader) if source.id != reader.id else label
        assert local.classification is not None
        text = display_marking(reader, local)
        classification = reader.classification(local.classification)
    except (AccordError, AssertionError):
        top = max(reader.classifications, key=lambda c: c.hierarchy)
        return Banner(
            f"{top.name} (marking not translatable)", top.hierarchy, _colour(reader, top.lacv)
        )
    return Banner(text, classification.hierarchy, _colour(reader, classification.lacv))


def system_high(reader: SecurityPolicy, level: str) -> Banner:
    """The banner of a page without labelled content: the node's accredited level."""
    try:
        classification = reader.classification_named(level)
    except AccordError:
        classification = max(reader.classifications, key=lambda c: c.hierarchy)
    return Banner(
        classification.name, classification.hierarchy, _colour(reader, classification.lacv)
    )


def highest(banners: list[Banner], fallback: Banner) -> Banner:
    """The banner of a page: the highest of what it shows, else ``fallback`` (system high)."""
    return max(banners, key=lambda b: b.rank) if banners else fallback
