"""The lossless JSON form of labels and clearances: what envelopes and the API carry.

Only identifiers, never names, so the form does not depend on which language or policy version
displays it: ``from_dict(to_dict(x)) == x`` for every label. Categories are sorted so that equal
labels have equal canonical JSON (RFC 8785) and therefore equal digests.

::

    {"policy": "1.3.26.1.3.1", "classification": 4,
     "categories": [{"tag_set": "1.3.26.1.4.2", "type": "enumeratedPermissive", "lacv": 840}],
     "privacy_mark": "...", "created": "2026-11-22T08:00:00Z"}

``privacy_mark`` and ``created`` appear only when set; ``classification`` may be null (ESS allows
a label without one, though no policy finds such a label valid).
"""

from __future__ import annotations

from typing import Any

from accord.errors import LabelError
from accord.labels.label import MAX_CATEGORIES, Clearance, Label
from accord.labels.model import CategoryRef, TagType
from accord.labels.security_policy import SecurityPolicy

_LABEL_KEYS = {"policy", "classification", "categories", "privacy_mark", "created"}
_CLEARANCE_KEYS = {"policy", "classifications", "categories"}


def _ref_to_dict(ref: CategoryRef) -> dict[str, Any]:
    return {"tag_set": ref.tag_set_id, "type": ref.tag_type.value, "lacv": ref.lacv}


def _integer(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**32:
        raise LabelError(f"{where} must be a non-negative integer")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise LabelError(f"{where} must be a non-empty string")
    return value


def _refs(value: object) -> frozenset[CategoryRef]:
    if not isinstance(value, list):
        raise LabelError("categories must be a list")
    if len(value) > MAX_CATEGORIES:
        raise LabelError(f"a label may carry at most {MAX_CATEGORIES} categories")
    refs: set[CategoryRef] = set()
    for index, item in enumerate(value):
        where = f"categories[{index}]"
        if not isinstance(item, dict) or set(item) != {"tag_set", "type", "lacv"}:
            raise LabelError(f"{where} must have exactly tag_set, type and lacv")
        ref = CategoryRef(
            tag_set_id=_text(item["tag_set"], f"{where}.tag_set"),
            tag_type=TagType.parse(_text(item["type"], f"{where}.type")),
            lacv=_integer(item["lacv"], f"{where}.lacv"),
        )
        if ref in refs:
            raise LabelError(f"{where} repeats a category")
        refs.add(ref)
    return frozenset(refs)


def label_to_dict(label: Label) -> dict[str, Any]:
    out: dict[str, Any] = {
        "policy": label.policy_id,
        "classification": label.classification,
        "categories": [_ref_to_dict(r) for r in label.sorted_categories()],
    }
    if label.privacy_mark is not None:
        out["privacy_mark"] = label.privacy_mark
    if label.created is not None:
        out["created"] = label.created
    return out


def _object(value: object, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LabelError(f"a {what} must be a JSON object")
    unknown = set(value) - keys
    if unknown:
        raise LabelError(f"unknown {what} field(s): {', '.join(sorted(map(str, unknown)))}")
    return value


def label_from_dict(document: object) -> Label:
    value = _object(document, _LABEL_KEYS, "label")
    if "policy" not in value or "classification" not in value:
        raise LabelError("a label needs policy and classification")
    classification = value["classification"]
    privacy = value.get("privacy_mark")
    created = value.get("created")
    return Label(
        policy_id=_text(value["policy"], "policy"),
        classification=None
        if classification is None
        else _integer(classification, "classification"),
        categories=_refs(value.get("categories", [])),
        privacy_mark=None if privacy is None else _text(privacy, "privacy_mark"),
        created=None if created is None else _text(created, "created"),
    )


def clearance_to_dict(clearance: Clearance) -> dict[str, Any]:
    return {
        "policy": clearance.policy_id,
        "classifications": sorted(clearance.classifications),
        "categories": [_ref_to_dict(r) for r in clearance.sorted_categories()],
    }


def clearance_from_dict(document: object) -> Clearance:
    value = _object(document, _CLEARANCE_KEYS, "clearance")
    classes = value.get("classifications", [])
    if not isinstance(classes, list) or len(classes) > 256:
        raise LabelError("classifications must be a list of at most 256 integers")
    return Clearance(
        policy_id=_text(value.get("policy"), "policy"),
        classifications=frozenset(_integer(c, "classifications[]") for c in classes),
        categories=_refs(value.get("categories", [])),
    )


def simplified(label: Label, policy: SecurityPolicy) -> dict[str, Any]:
    """A by-name view for people and dashboards (sparrow's "simplified" form): the policy and
    classification names and, per tag, the STANAG 4774 type and the values. Not lossless."""
    categories: dict[str, dict[str, Any]] = {}
    for category in policy.sorted_categories(label.categories):
        entry = categories.setdefault(
            category.tag_name, {"type": category.tag_type.stanag_4774_type, "values": []}
        )
        entry["values"].append(category.name)
    classification = None
    if label.classification is not None:
        classification = policy.classification(label.classification).name
    return {
        "PolicyIdentifier": policy.name,
        "Classification": classification,
        "Categories": categories,
    }
