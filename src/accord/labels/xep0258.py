"""XEP-0258 security labels in XMPP: a display marking, the ESS label in base64 BER, and
equivalent labels under other policies (XEP-0258 sections 4 and 5).

::

    <securitylabel xmlns="urn:xmpp:sec-label:0">
      <displaymarking fgcolor="black" bgcolor="red">SECRET//REL TO USA, PAK</displaymarking>
      <label><esssecuritylabel xmlns="urn:xmpp:sec-label:ess:0">MQ...</esssecuritylabel></label>
      <equivalentlabel><esssecuritylabel xmlns="urn:xmpp:sec-label:ess:0">MQ...</esssecuritylabel>
      </equivalentlabel>
    </securitylabel>

The display marking is advisory (XEP-0258: a client shows it, a server decides on the label), so
reading keeps it as text and decides nothing from it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from accord.errors import LabelError
from accord.labels.ess_ber import DEFAULT_BER_LIMIT, decode_label, encode_label
from accord.labels.label import Label
from accord.labels.marking import display_marking
from accord.labels.security_policy import PolicySet
from accord.labels.xmlsafe import XmlDocument, child, children, local_name, namespace, text_of

NAMESPACE = "urn:xmpp:sec-label:0"
ESS_NAMESPACE = "urn:xmpp:sec-label:ess:0"
MAX_EQUIVALENTS = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityLabelElement:
    label: Label
    display_marking: str | None = None
    foreground: str | None = None
    background: str | None = None
    equivalents: tuple[Label, ...] = ()


def _ess(holder: etree._Element, policies: PolicySet) -> Label:
    element = child(holder, "esssecuritylabel")
    if element is None or namespace(element) != ESS_NAMESPACE:
        raise LabelError(f"<{local_name(holder)}> has no esssecuritylabel")
    try:
        raw = base64.b64decode(text_of(element).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise LabelError("esssecuritylabel is not valid base64") from None
    return decode_label(raw, policies, limit=DEFAULT_BER_LIMIT)


def read(document: XmlDocument, policies: PolicySet) -> SecurityLabelElement:
    root = document.root
    if local_name(root) != "securitylabel" or namespace(root) != NAMESPACE:
        raise LabelError("Not an XEP-0258 securitylabel")
    label_holder = child(root, "label")
    if label_holder is None:
        raise LabelError("the securitylabel has no label")
    equivalents = children(root, "equivalentlabel")
    if len(equivalents) > MAX_EQUIVALENTS:
        raise LabelError(f"more than {MAX_EQUIVALENTS} equivalent labels")
    marking = child(root, "displaymarking")
    return SecurityLabelElement(
        label=_ess(label_holder, policies),
        display_marking=text_of(marking) if marking is not None else None,
        foreground=marking.get("fgcolor") if marking is not None else None,
        background=marking.get("bgcolor") if marking is not None else None,
        equivalents=tuple(_ess(e, policies) for e in equivalents),
    )


def write(
    label: Label,
    policies: PolicySet,
    *,
    equivalents: tuple[Label, ...] = (),
    language: str = "",
) -> bytes:
    """The ``<securitylabel>`` element, its display marking made by the label's policy."""
    policy = policies.by_id(label.policy_id)
    root = etree.Element(f"{{{NAMESPACE}}}securitylabel", nsmap={None: NAMESPACE})
    marking = etree.SubElement(root, f"{{{NAMESPACE}}}displaymarking")
    marking.text = display_marking(policy, label, language=language)
    if label.classification is not None:
        color = policy.classification(label.classification).color
        if color:
            marking.set("bgcolor", color)

    def ess(parent_name: str, value: Label) -> None:
        parent = etree.SubElement(root, f"{{{NAMESPACE}}}{parent_name}")
        element = etree.SubElement(
            parent, f"{{{ESS_NAMESPACE}}}esssecuritylabel", nsmap={None: ESS_NAMESPACE}
        )
        encoded = encode_label(value, policies.by_id(value.policy_id))
        element.text = base64.b64encode(encoded).decode("ascii")

    ess("label", label)
    for equivalent in equivalents:
        ess("equivalentlabel", equivalent)
    return bytes(etree.tostring(root, xml_declaration=False, encoding="utf-8"))
