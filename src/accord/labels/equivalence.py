"""Translating a label to another policy (XML-SPIF equivalences), and the dominant label.

Translation builds a new label; the originator's label is a frozen value and is never changed.
The source policy's ``applied="encrypt"`` (or ``both``) rules decide; where it has none for a
value, the target policy's ``decrypt`` (or ``both``) rules that name the value are used. The
rules, in the order spiffing applies them (its ``encrypt=`` conformance cases):

1. the classification's equivalent, plus the categories its ``requiredCategory`` adds;
2. each category's ``equivalentSecCategoryTag`` values (``action="discard"``: none);
3. the categories the source policy's ``equivalentPolicy`` requires on every translated label.

Fail closed: a classification without an equivalent, or a restrictive or permissive category
without one (and not explicitly discarded), makes translation fail. Dropping it would release the
information more widely than its originator allowed. Informative categories may be dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from accord.errors import LabelError
from accord.labels.label import Label
from accord.labels.model import CategoryGroup, CategoryRef, Classification, TagType
from accord.labels.security_policy import SecurityPolicy


def _fixup(target: SecurityPolicy, groups: Iterable[CategoryGroup]) -> set[CategoryRef]:
    added: set[CategoryRef] = set()
    for group in groups:
        for item in group.items:
            if item.lacv is None:
                raise LabelError(f"an equivalence requires {item.describe()} but names no value")
            tag_set = next((t for t in target.tag_sets if t.name == item.tag_set_name), None)
            if tag_set is None:
                raise LabelError(f"policy {target.name} has no tag set {item.tag_set_name!r}")
            added.add(target.find_category(tag_set.id, item.tag_type, item.lacv).ref)
    return added


def _classification(
    source: SecurityPolicy, target: SecurityPolicy, classification: Classification
) -> tuple[Classification, set[CategoryRef]]:
    for rule in classification.equivalent_encrypt:
        if rule.policy_id == target.id:
            return target.classification(rule.lacv), _fixup(target, rule.required)
    candidates = [
        candidate
        for candidate in target.classifications
        for rule in candidate.equivalent_decrypt
        if rule.policy_id == source.id and rule.lacv == classification.lacv
    ]
    if not candidates:
        raise LabelError(
            f"{source.name} {classification.name} has no equivalent under policy {target.name}"
        )
    # Several target classifications claiming one source value: the highest protects the data.
    return max(candidates, key=lambda c: c.hierarchy), set()


def _category(source: SecurityPolicy, target: SecurityPolicy, ref: CategoryRef) -> set[CategoryRef]:
    category = source.category(ref)
    rules = [e for e in category.equivalents if e.policy_id == target.id and e.on_encrypt]
    if rules:
        found = set()
        for rule in rules:
            if rule.target is not None:
                found.add(target.category(rule.target).ref)
        return found
    reverse = {
        candidate.ref
        for tag_set in target.tag_sets
        for tag in tag_set.tags
        for candidate in tag.categories
        for rule in candidate.equivalents
        if rule.policy_id == source.id
        and rule.applied in ("decrypt", "both")
        and rule.target == ref
    }
    if reverse or category.tag_type is TagType.INFORMATIVE:
        return reverse
    raise LabelError(
        f"{category.name} ({category.tag_name}) has no equivalent under policy {target.name}"
    )


def translate(label: Label, source: SecurityPolicy, target: SecurityPolicy) -> Label:
    """The equivalent of ``label`` (under ``source``) under ``target``."""
    if label.policy_id != source.id:
        raise LabelError(f"the label is under policy {label.policy_id}, not {source.id}")
    if source.id == target.id:
        return label
    if label.classification is None:
        raise LabelError("a label without a classification has no equivalent")
    classification, categories = _classification(
        source, target, source.classification(label.classification)
    )
    for ref in label.sorted_categories():
        categories |= _category(source, target, ref)
    categories |= _fixup(target, source.equivalence_required.get(target.id, ()))
    return Label(
        policy_id=target.id,
        classification=classification.lacv,
        categories=frozenset(categories),
        privacy_mark=label.privacy_mark,
        created=label.created,
    )


def dominant(labels: Iterable[Label], policy: SecurityPolicy) -> Label:
    """The least label that dominates all ``labels`` (all under ``policy``): the highest
    classification, every restrictive and informative category of any of them, and of the
    permissive categories of each tag only those that every label carrying that tag allows."""
    given = list(labels)
    if not given:
        raise LabelError("the dominant label of no labels is undefined")
    highest: Classification | None = None
    others: set[CategoryRef] = set()
    permissive: dict[tuple[str, str], set[CategoryRef]] = {}
    for label in given:
        if label.policy_id != policy.id:
            raise LabelError(f"the labels are not all under policy {policy.name}")
        if label.classification is None:
            raise LabelError("a label without a classification cannot be combined")
        classification = policy.classification(label.classification)
        if highest is None or classification.hierarchy > highest.hierarchy:
            highest = classification
        by_tag: dict[tuple[str, str], set[CategoryRef]] = {}
        for category in policy.sorted_categories(label.categories):
            if category.tag_type.is_permissive:
                key = (category.ref.tag_set_id, category.tag_name)
                by_tag.setdefault(key, set()).add(category.ref)
            else:
                others.add(category.ref)
        for key, refs in by_tag.items():
            permissive[key] = permissive[key] & refs if key in permissive else set(refs)
    for (_, tag_name), refs in permissive.items():
        if not refs:
            raise LabelError(f"the labels' {tag_name} values have nothing in common")
        others |= refs
    assert highest is not None
    return Label(policy_id=policy.id, classification=highest.lacv, categories=frozenset(others))
