"""Display markings: the words a policy's markingData and markingQualifier rules put on a page.

The algorithm follows XML-SPIF as spiffing applies it (its conformance suite is the reference):

1. The policy part: the policy's own phrase if its marking replaces the policy name; else the
   classification's if it replaces it (NATO ``COSMIC``); else the first category's that does
   (``NATO/KFOR``); else the policy name.
2. The classification's phrase, unless a category's marking suppresses the class name.
3. The categories in policy order. A tag's categories are joined by the tag's separator (``/``
   by default) between the tag's prefix and suffix; tags are joined by the policy's separator
   (a space by default). A phrase with ``noNameDisplay`` shows nothing.
4. The policy's prefix and suffix around the whole.

Languages: each element's rules for the requested language tag, else its primary subtag, else
those without a language.
"""

from __future__ import annotations

from accord.errors import LabelError
from accord.labels.label import Clearance, Label
from accord.labels.model import Category, Marking, MarkingCode
from accord.labels.security_policy import SecurityPolicy

PAGE = MarkingCode.PAGE_BOTTOM


def _categories_marking(
    policy: SecurityPolicy,
    categories: tuple[Category, ...],
    language: str,
    place: MarkingCode,
    separator: str,
    marking: str,
) -> str:
    current_tag: tuple[str, str] | None = None
    tag_separator = "/"
    tag_suffix = ""
    for category in categories:
        tag = policy.tag_of(category)
        own = category.markings.for_language(language)
        tag_rules = tag.markings.for_language(language)
        rules = own or tag_rules
        phrase = rules.phrase(place, category.name) if rules else category.name
        if not phrase:
            continue
        key = (tag.tag_set_id, tag.name)
        if key != current_tag:
            current_tag = key
            marking += tag_suffix
            if marking:
                marking += separator
            tag_suffix = tag_rules.suffix if tag_rules else ""
            tag_separator = (tag_rules.separator if tag_rules else "") or "/"
            marking += tag_rules.prefix if tag_rules else ""
        else:
            marking += tag_separator
        marking += phrase
    return marking + tag_suffix


def display_marking(
    policy: SecurityPolicy, label: Label, *, language: str = "", place: MarkingCode = PAGE
) -> str:
    """The display marking of ``label`` under ``policy``, in ``language``."""
    if label.policy_id != policy.id:
        raise LabelError(f"the label is under policy {label.policy_id}, not {policy.id}")
    if label.classification is None:
        raise LabelError("a label without a classification has no display marking")
    classification = policy.classification(label.classification)
    categories = policy.sorted_categories(label.categories)
    own: list[tuple[Category, Marking]] = []
    for category in categories:
        rules = category.markings.for_language(language)
        if rules is not None:
            own.append((category, rules))
    policy_rules = policy.markings.for_language(language)
    class_rules = classification.markings.for_language(language)
    separator = (policy_rules.separator if policy_rules else "") or " "

    marking = ""
    if policy_rules and policy_rules.replaces_policy(place):
        marking = policy_rules.policy_phrase(place, policy.name)
    elif class_rules and class_rules.replaces_policy(place):
        marking = class_rules.policy_phrase(place, classification.name)
    else:
        replacing = next(((c, r) for c, r in own if r.replaces_policy(place)), None)
        marking = replacing[1].policy_phrase(place, replacing[0].name) if replacing else policy.name

    if not any(rules.suppresses_class_name(place) for _, rules in own):
        if marking:
            marking += separator
        rules = class_rules or policy_rules
        marking += rules.phrase(place, classification.name) if rules else classification.name

    marking = _categories_marking(policy, categories, language, place, separator, marking)
    if policy_rules:
        marking = policy_rules.prefix + marking + policy_rules.suffix
    return marking


def clearance_marking(policy: SecurityPolicy, clearance: Clearance, *, language: str = "") -> str:
    """A clearance's marking: ``{CLASS|CLASS}`` in hierarchy order, then its categories."""
    if clearance.policy_id != policy.id:
        raise LabelError(f"the clearance is under policy {clearance.policy_id}, not {policy.id}")
    policy_rules = policy.markings.for_language(language)
    separator = (policy_rules.separator if policy_rules else "") or " "
    names = [
        c.name
        for c in sorted(
            (policy.classification(lacv) for lacv in clearance.classifications),
            key=lambda c: c.hierarchy,
        )
    ]
    marking = (policy_rules.prefix if policy_rules else "") + "{" + "|".join(names) + "}"
    categories = policy.sorted_categories(clearance.categories)
    marking = _categories_marking(policy, categories, language, PAGE, separator, marking)
    return marking + (policy_rules.suffix if policy_rules else "")
