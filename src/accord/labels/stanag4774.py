"""STANAG 4774 (ADatP-4774) confidentiality labels in XML.

::

    <originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
      <ConfidentialityInformation>
        <PolicyIdentifier URI="urn:oid:1.3.26.1.3.1">NATO</PolicyIdentifier>
        <Classification>UNCLASSIFIED</Classification>
        <PrivacyMark>...</PrivacyMark>                       (optional)
        <Category TagName="Context" Type="PERMISSIVE">
          <GenericValue>NATO</GenericValue> ...
        </Category> ...
      </ConfidentialityInformation>
      <CreationDateTime>2026-11-22T08:00:00Z</CreationDateTime>
    </originatorConfidentialityLabel>

Names, not numbers: the policy by name (or by OID in ``URI``/``URL``), the classification by name,
categories by tag name, STANAG 4774 type and category name, all resolved against the policy.
Writing always emits ``CreationDateTime`` (mandatory in ADatP-4774); reading accepts labels
without it, as published test data has none, and keeps it when present.
"""

from __future__ import annotations

import re

from lxml import etree

from accord.errors import LabelError
from accord.labels.label import Clearance, Label
from accord.labels.model import Category, CategoryRef
from accord.labels.security_policy import PolicySet, SecurityPolicy
from accord.labels.xmlsafe import XmlDocument, child, children, local_name, namespace, text_of

NAMESPACE = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
CLEARANCE_NAMESPACE = "urn:nato:stanag:4774:confidentialityclearance:1:0"
LABEL_ROOTS = (
    "originatorConfidentialityLabel",
    "OriginatorConfidentialityLabel",
    "ConfidentialityLabel",
    "alternativeConfidentialityLabel",
)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _policy(information: etree._Element, policies: PolicySet) -> SecurityPolicy:
    element = child(information, "PolicyIdentifier")
    if element is None:
        raise LabelError("No policy in label")
    uri = element.get("URI") or element.get("URL")
    name = text_of(element)
    if uri:
        if not uri.startswith("urn:oid:"):
            raise LabelError(f"PolicyIdentifier URI {uri!r} is not urn:oid:")
        policy = policies.by_id(uri.removeprefix("urn:oid:"))
        if name and name.casefold() != policy.name.casefold():
            raise LabelError(f"Policy mismatch: {name} is not the name of {policy.id}")
        return policy
    if not name:
        raise LabelError("No policy in label")
    return policies.by_name(name)


def _categories(information: etree._Element, policy: SecurityPolicy) -> frozenset[CategoryRef]:
    refs: set[CategoryRef] = set()
    for element in children(information, "Category"):
        tag_name = element.get("TagName")
        kind = element.get("Type")
        if not tag_name:
            raise LabelError("Category without TagName")
        if kind not in ("PERMISSIVE", "RESTRICTIVE", "INFORMATIVE"):
            raise LabelError(f"Category {tag_name}: unsupported Type {kind!r}")
        known = policy.categories_named(tag_name, kind)
        for value in children(element, "GenericValue"):
            text = text_of(value)
            category = known.get(text) or _by_lacv(known, text)
            if category is None:
                raise LabelError(f"unknown value {text!r} for {kind.lower()} tag {tag_name!r}")
            refs.add(category.ref)
    return frozenset(refs)


def _by_lacv(known: dict[str, Category], text: str) -> Category | None:
    if not text.isdigit():
        return None
    return next((c for c in known.values() if c.lacv == int(text)), None)


def read_label(document: XmlDocument, policies: PolicySet) -> Label:
    root = document.root
    if local_name(root) not in LABEL_ROOTS:
        raise LabelError(f"Not a STANAG 4774 label: the root element is <{local_name(root)}>")
    # An undeclared namespace is only met where an invalid prefix declaration was tolerated.
    if namespace(root) != NAMESPACE and not (document.tolerated and namespace(root) is None):
        raise LabelError("XML Namespace of label is unknown")
    information = child(root, "ConfidentialityInformation")
    if information is None:
        raise LabelError("the label has no ConfidentialityInformation")
    policy = _policy(information, policies)
    classification_element = child(information, "Classification")
    if classification_element is None:
        raise LabelError("the label has no Classification")
    classification = policy.classification_named(text_of(classification_element))
    privacy = child(information, "PrivacyMark")
    created_element = child(root, "CreationDateTime")
    created = text_of(created_element) if created_element is not None else None
    if created is not None and not _DATETIME.match(created):
        raise LabelError(f"CreationDateTime {created!r} is not an xs:dateTime with a time zone")
    return Label(
        policy_id=policy.id,
        classification=classification.lacv,
        categories=_categories(information, policy),
        privacy_mark=text_of(privacy) if privacy is not None else None,
        created=created,
    )


def read_clearance(document: XmlDocument, policies: PolicySet) -> Clearance:
    root = document.root
    if local_name(root) != "ConfidentialityClearance" or namespace(root) != CLEARANCE_NAMESPACE:
        raise LabelError("Not a STANAG 4774 clearance")
    policy = _policy(root, policies)
    classes: set[int] = set()
    class_list = child(root, "ClassificationList")
    for element in children(class_list, "Classification") if class_list is not None else []:
        classes.add(policy.classification_named(text_of(element)).lacv)
    return Clearance(
        policy_id=policy.id,
        classifications=frozenset(classes),
        categories=_categories(root, policy),
    )


def write_label(label: Label, policy: SecurityPolicy, *, created: str | None = None) -> bytes:
    """The label in STANAG 4774 XML. ``created`` (xs:dateTime) defaults to the label's own."""
    when = created or label.created
    if when is None:
        raise LabelError("a STANAG 4774 label needs its CreationDateTime")
    if not _DATETIME.match(when):
        raise LabelError(f"CreationDateTime {when!r} is not an xs:dateTime with a time zone")
    if label.policy_id != policy.id or label.classification is None:
        raise LabelError("the label does not belong to this policy or has no classification")

    def element(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        made = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        if text is not None:
            made.text = text
        return made

    root = etree.Element(f"{{{NAMESPACE}}}originatorConfidentialityLabel", nsmap={None: NAMESPACE})
    information = element(root, "ConfidentialityInformation")
    policy_element = element(information, "PolicyIdentifier", policy.name)
    policy_element.set("URI", f"urn:oid:{policy.id}")
    element(information, "Classification", policy.classification(label.classification).name)
    if label.privacy_mark is not None:
        element(information, "PrivacyMark", label.privacy_mark)
    current: tuple[str, str, str] | None = None
    holder = information
    for category in policy.sorted_categories(label.categories):
        key = (category.ref.tag_set_id, category.tag_name, category.tag_type.stanag_4774_type)
        if key != current:
            current = key
            holder = element(information, "Category")
            holder.set("TagName", category.tag_name)
            holder.set("Type", category.tag_type.stanag_4774_type)
        element(holder, "GenericValue", category.name)
    element(root, "CreationDateTime", when)
    return bytes(etree.tostring(root, xml_declaration=False, encoding="utf-8"))
