"""Validity of a label under its policy, and the access control decision function (ACDF).

Both return values that carry their reasons; neither returns a bare bool a caller could ignore.

Validity (XML-SPIF): the classification exists and is not obsolete, and its required categories are
present; every category exists, is not obsolete, is allowed at the label's classification
(``excludedClass``), meets its ``requiredCategory`` groups and is not excluded by another
category present (``excludedCategory``); a ``singleSelection`` tag holds at most one value.

ACDF (ACP 145 / X.841 semantics as spiffing implements them): the clearance names the label's
policy and holds its classification; it holds every restrictive category of the label; and for
each tag with permissive categories in the label it holds at least one of them. Informative
categories do not take part. An invalid label is denied: nothing decides on a label its own
policy rejects.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.errors import LabelError
from accord.labels.label import Clearance, Label
from accord.labels.model import Category, CategoryData, CategoryGroup, Operation
from accord.labels.security_policy import SecurityPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class Validity:
    valid: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AcdfDecision:
    granted: bool
    reason: str

    @property
    def word(self) -> str:
        return "grant" if self.granted else "deny"


def _item(policy: SecurityPolicy, item: CategoryData) -> str:
    tag_set = next((t for t in policy.tag_sets if t.name == item.tag_set_name), None)
    if item.lacv is None or tag_set is None:
        return f"any {item.tag_set_name} value"
    try:
        return (
            f"{item.tag_set_name} {policy.find_category(tag_set.id, item.tag_type, item.lacv).name}"
        )
    except LabelError:
        return item.describe()


def describe(policy: SecurityPolicy, group: CategoryGroup) -> str:
    """A required-category group in the policy's own names: "Releasable To USA"."""
    items = [_item(policy, item) for item in group.items]
    if len(items) == 1:
        return items[0]
    words = {Operation.ALL: "all of", Operation.ONE_OR_MORE: "one or more of"}
    prefix = f"{group.items[0].tag_set_name} "
    if all(i.startswith(prefix) and not i.startswith("any ") for i in items):
        # One tag set: named once ("one or more of Releasable To AUS, CAN, ...").
        items = [prefix + ", ".join(i.removeprefix(prefix) for i in items)]
    return f"{words.get(group.operation, 'exactly one of')} {', '.join(items)}"


def _resolve(policy: SecurityPolicy, label: Label, reasons: list[str]) -> tuple[Category, ...]:
    resolved: list[Category] = []
    for ref in label.sorted_categories():
        try:
            resolved.append(policy.category(ref))
        except LabelError as e:
            reasons.append(e.reason)
    return tuple(sorted(resolved, key=lambda c: c.ordinal))


def validate(policy: SecurityPolicy, label: Label) -> Validity:
    reasons: list[str] = []
    if label.policy_id != policy.id:
        return Validity(
            valid=False, reasons=(f"the label is under policy {label.policy_id}, not {policy.id}",)
        )
    present = _resolve(policy, label, reasons)
    if label.classification is None:
        reasons.append("the label has no classification")
    else:
        try:
            classification = policy.classification(label.classification)
        except LabelError as e:
            reasons.append(e.reason)
        else:
            if classification.obsolete:
                reasons.append(f"classification {classification.name} is obsolete")
            for group in classification.required:
                if not group.matches(present):
                    reasons.append(f"{classification.name} requires {describe(policy, group)}")
            for category in present:
                if classification.lacv in category.excluded_classes:
                    reasons.append(f"{category.name} is not allowed at {classification.name}")
    for category in present:
        reasons.extend(_category_reasons(policy, category, present))
    return Validity(valid=not reasons, reasons=tuple(reasons))


def _category_reasons(
    policy: SecurityPolicy, category: Category, present: tuple[Category, ...]
) -> list[str]:
    reasons: list[str] = []
    if category.obsolete:
        reasons.append(f"{category.name} ({category.tag_name}) is obsolete")
    for excluded in category.excluded:
        clash = [c.name for c in present if c is not category and excluded.matches(c)]
        if clash:
            reasons.append(f"{category.name} excludes {', '.join(clash)}")
    for group in category.required:
        if not group.matches(present):
            reasons.append(f"{category.name} requires {describe(policy, group)}")
    tag = policy.tag_of(category)
    if tag.single_selection:
        same_tag = [
            c
            for c in present
            if c.tag_name == category.tag_name and c.ref.tag_set_id == category.ref.tag_set_id
        ]
        if len(same_tag) > 1 and same_tag[0] is category:
            names = ", ".join(c.name for c in same_tag)
            reasons.append(f"tag {tag.name} allows a single selection, the label has {names}")
    return reasons


def acdf(policy: SecurityPolicy, label: Label, clearance: Clearance) -> AcdfDecision:
    """May the holder of ``clearance`` see information labelled ``label``?"""
    if clearance.policy_id != policy.id:
        return AcdfDecision(
            granted=False,
            reason=f"the clearance is under policy {clearance.policy_id}, not {policy.id}",
        )
    validity = validate(policy, label)
    if not validity.valid:
        return AcdfDecision(
            granted=False, reason="the label is not valid: " + "; ".join(validity.reasons)
        )
    assert label.classification is not None  # validate() refuses a label without one
    classification = policy.classification(label.classification)
    if classification.lacv not in clearance.classifications:
        return AcdfDecision(
            granted=False, reason=f"the clearance does not include {classification.name}"
        )
    permissive: dict[tuple[str, str], list[Category]] = {}
    for category in policy.sorted_categories(label.categories):
        if category.tag_type.is_restrictive and category.ref not in clearance.categories:
            return AcdfDecision(
                granted=False,
                reason=f"the clearance does not hold {category.name} ({category.tag_name})",
            )
        if category.tag_type.is_permissive:
            permissive.setdefault((category.ref.tag_set_id, category.tag_name), []).append(category)
    for (_, tag_name), group in permissive.items():
        if not any(c.ref in clearance.categories for c in group):
            names = ", ".join(c.name for c in group)
            return AcdfDecision(
                granted=False, reason=f"the clearance holds none of {tag_name}: {names}"
            )
    return AcdfDecision(
        granted=True,
        reason=f"the clearance includes {classification.name} and the categories the label needs",
    )
