"""spiffing's XML label and clearance format (namespace ``http://surevine.com/xmlns/spiffy``).

::

    <label xmlns="http://surevine.com/xmlns/spiffy">
      <policy id="OID"/> <classification lacv="N"/>
      <tag type="permissive|restrictive|enumeratedPermissive|enumeratedRestrictive|informative"
           id="TAG-SET-OID" lacv="N"/> ...
    </label>

A clearance has the same shape with root ``clearance`` and any number of ``classification``.
Element text (a human-readable name) is ignored, as spiffing ignores it: the LACVs decide.
"""

from __future__ import annotations

from lxml import etree

from accord.errors import LabelError
from accord.labels.label import Clearance, Label, parse_lacv
from accord.labels.model import CategoryRef, TagType
from accord.labels.security_policy import PolicySet, SecurityPolicy
from accord.labels.xmlsafe import XmlDocument, child, children, local_name, namespace

NAMESPACE = "http://surevine.com/xmlns/spiffy"


def _policy(root: etree._Element, policies: PolicySet, what: str) -> SecurityPolicy:
    element = child(root, "policy")
    if element is None or not element.get("id"):
        raise LabelError(f"No policy in {what}")
    return policies.by_id(element.get("id", ""))


def _categories(root: etree._Element, policy: SecurityPolicy) -> frozenset[CategoryRef]:
    refs: set[CategoryRef] = set()
    for element in children(root, "tag"):
        type_name = element.get("type")
        if type_name is None:
            raise LabelError("tag without type")
        try:
            tag_type = TagType(type_name)
        except ValueError:
            raise LabelError(f"unsupported tag type {type_name}") from None
        tag_set_id = element.get("id")
        if not tag_set_id:
            raise LabelError("tag without id")
        lacv_text = element.get("lacv")
        if lacv_text is None:
            raise LabelError("tag without lacv")
        ref = CategoryRef(tag_set_id=tag_set_id, tag_type=tag_type, lacv=parse_lacv(lacv_text))
        policy.tag_set(tag_set_id)
        policy.category(ref)
        refs.add(ref)
    return frozenset(refs)


def _root(document: XmlDocument, expected: str) -> etree._Element:
    root = document.root
    if local_name(root) != expected:
        raise LabelError(f"Not a {expected}: the root element is <{local_name(root)}>")
    if namespace(root) != NAMESPACE:
        raise LabelError(f"XML Namespace of {expected} is unknown")
    return root


def read_label(document: XmlDocument, policies: PolicySet) -> Label:
    root = _root(document, "label")
    policy = _policy(root, policies, "label")
    classification = None
    element = child(root, "classification")
    if element is not None and element.get("lacv") is not None:
        classification = parse_lacv(element.get("lacv", ""), "classification lacv")
        policy.classification(classification)
    return Label(
        policy_id=policy.id, classification=classification, categories=_categories(root, policy)
    )


def read_clearance(document: XmlDocument, policies: PolicySet) -> Clearance:
    root = _root(document, "clearance")
    policy = _policy(root, policies, "clearance")
    classifications: set[int] = set()
    for element in children(root, "classification"):
        if element.get("lacv") is not None:
            lacv = parse_lacv(element.get("lacv", ""), "classification lacv")
            policy.classification(lacv)
            classifications.add(lacv)
    return Clearance(
        policy_id=policy.id,
        classifications=frozenset(classifications),
        categories=_categories(root, policy),
    )


def _document(root_name: str, policy_id: str) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}{root_name}", nsmap={None: NAMESPACE})
    etree.SubElement(root, f"{{{NAMESPACE}}}policy", id=policy_id)
    return root


def _finish(root: etree._Element, refs: tuple[CategoryRef, ...]) -> bytes:
    for ref in refs:
        attributes = {"type": ref.tag_type.value, "id": ref.tag_set_id, "lacv": str(ref.lacv)}
        etree.SubElement(root, f"{{{NAMESPACE}}}tag", attributes)
    return bytes(etree.tostring(root, xml_declaration=False, encoding="utf-8"))


def write_label(label: Label) -> bytes:
    root = _document("label", label.policy_id)
    if label.classification is not None:
        etree.SubElement(root, f"{{{NAMESPACE}}}classification", lacv=str(label.classification))
    return _finish(root, label.sorted_categories())


def write_clearance(clearance: Clearance) -> bytes:
    root = _document("clearance", clearance.policy_id)
    for lacv in sorted(clearance.classifications):
        etree.SubElement(root, f"{{{NAMESPACE}}}classification", lacv=str(lacv))
    return _finish(root, clearance.sorted_categories())
