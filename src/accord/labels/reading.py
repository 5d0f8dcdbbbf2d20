"""Reading a label or clearance in any supported encoding, detected from its content.

XML is dispatched on its root element's namespace (spiffing, STANAG 4774, XEP-0258), ``{`` starts
the JSON form, anything else is read as BER. Every path ends in the same checks: the policy is
known and every category exists in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from accord.errors import InvalidInput, LabelError
from accord.labels import ess_ber, json_form, spiffing_xml, stanag4774, xep0258
from accord.labels.label import Clearance, Label
from accord.labels.security_policy import PolicySet
from accord.labels.xmlsafe import STRICT, UnsafeTolerance, XmlDocument, namespace, read_xml

DEFAULT_LABEL_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadLabel:
    label: Label
    encoding: str
    warnings: tuple[str, ...] = ()


#: What a label or clearance document may begin with: XML, JSON, or a BER SET (an ESS security
#: label, RFC 2634 section 5.2) or SEQUENCE (a clearance, RFC 5755 section 4.4.6).
NOT_A_LABEL_DOCUMENT = "neither XML, JSON nor BER"


def _kind(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return "xml"
    if head == b"{":
        return "json"
    if data[:1] in (b"\x30", b"\x31"):
        return "ber"
    return "other"


def _not_a_document(data: bytes) -> str:
    """Why ``data`` is not read at all; a line of text (a banner, say) is quoted, so the reader
    sees what was given."""
    reason = f"not a label document: {NOT_A_LABEL_DOCUMENT}"
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return reason
    if text.isprintable() and len(text) <= 200:
        return f"{reason}; it holds the text {text!r}"
    return reason


def _xml(data: bytes, what: str, limit: int, tolerate: UnsafeTolerance) -> XmlDocument:
    try:
        return read_xml(data, what=what, limit=limit, unsafe_tolerate=tolerate)
    except InvalidInput as e:
        raise LabelError(e.reason) from None


def _json(data: bytes, limit: int) -> object:
    if len(data) > limit:
        raise LabelError(f"{len(data)} bytes is over the limit of {limit} bytes")
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # with integers of over 4,300 digits
        raise LabelError(f"malformed JSON: {str(e)[:120]}") from None


def checked(label: Label, policies: PolicySet) -> Label:
    """``label`` if its policy is known and every category exists in it."""
    policy = policies.by_id(label.policy_id)
    if label.classification is not None:
        policy.classification(label.classification)
    for ref in label.categories:
        policy.category(ref)
    return label


def read_label(
    data: bytes,
    policies: PolicySet,
    *,
    limit: int = DEFAULT_LABEL_LIMIT,
    unsafe_tolerate: UnsafeTolerance = STRICT,
) -> ReadLabel:
    if not data.strip():
        raise LabelError("No data to parse")
    kind = _kind(data)
    if kind == "json":
        label = checked(json_form.label_from_dict(_json(data, limit)), policies)
        return ReadLabel(label=label, encoding="json")
    if kind == "ber":
        return ReadLabel(label=ess_ber.decode_label(data, policies, limit=limit), encoding="ber")
    if kind == "other":
        raise LabelError(_not_a_document(data))
    document = _xml(data, "label", limit, unsafe_tolerate)
    warnings = tuple(d.describe() for d in document.tolerated)
    root_namespace = namespace(document.root)
    if root_namespace == spiffing_xml.NAMESPACE:
        label = spiffing_xml.read_label(document, policies)
        return ReadLabel(label=label, encoding="spiffing-xml", warnings=warnings)
    if root_namespace == xep0258.NAMESPACE:
        element = xep0258.read(document, policies)
        return ReadLabel(label=element.label, encoding="xep-0258", warnings=warnings)
    label = stanag4774.read_label(document, policies)
    return ReadLabel(label=label, encoding="stanag-4774", warnings=warnings)


def read_clearance(
    data: bytes,
    policies: PolicySet,
    *,
    limit: int = DEFAULT_LABEL_LIMIT,
    unsafe_tolerate: UnsafeTolerance = STRICT,
) -> Clearance:
    if not data.strip():
        raise LabelError("No data to parse")
    kind = _kind(data)
    if kind == "json":
        clearance = json_form.clearance_from_dict(_json(data, limit))
        policy = policies.by_id(clearance.policy_id)
        for lacv in clearance.classifications:
            policy.classification(lacv)
        for ref in clearance.categories:
            policy.category(ref)
        return clearance
    if kind == "ber":
        raise LabelError("BER clearances are not supported; use XML or JSON")
    if kind == "other":
        raise LabelError(_not_a_document(data).replace("label", "clearance", 1))
    document = _xml(data, "clearance", limit, unsafe_tolerate)
    if namespace(document.root) == spiffing_xml.NAMESPACE:
        return spiffing_xml.read_clearance(document, policies)
    return stanag4774.read_clearance(document, policies)


_CLEARANCE_ROOTS = (b"<clearance", b"ConfidentialityClearance")


def is_clearance(data: bytes) -> bool:
    """Whether ``data`` holds a clearance rather than a label (by its root element or keys)."""
    kind = _kind(data)
    if kind == "json":
        try:
            value = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            return False
        return isinstance(value, dict) and "classifications" in value
    if kind == "xml":
        head = data[:4096]
        return any(root in head for root in _CLEARANCE_ROOTS)
    return False
