"""Reading untrusted XML safely: size first, no DTD, no entities, no network, well-formed only.

Invariants:
- The size limit is checked before a byte is parsed.
- A document with a DOCTYPE is refused outright. That covers external entities (XXE), entity
  expansion bombs ("billion laughs") and DTD-driven default attributes in one rule; none of the
  formats Accord reads (XML-SPIF, STANAG 4774, XEP-0258, spiffing's label format) needs a DTD.
- Only well-formed XML is accepted. Two parsers that recover differently from broken XML read
  different labels from the same bytes, which is how label-confusion attacks work.

The one exception is :data:`UnsafeTolerance`: a caller may name, explicitly, defects that older
tools (spiffing's rapidxml, sparrow) let through and that published test data contains: a
mismatched end-tag name, an invalid namespace prefix declaration. Each tolerated defect is
reported back so the caller can warn; anything else still fails.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from lxml import etree

from accord.errors import InvalidInput


class XmlDefect(enum.Enum):
    """A well-formedness defect that an explicit, unsafe tolerance may let through."""

    MISMATCHED_END_TAG = "mismatched-end-tag"
    INVALID_NAMESPACE_PREFIX = "invalid-namespace-prefix"


UnsafeTolerance = frozenset[XmlDefect]
STRICT: UnsafeTolerance = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class ToleratedDefect:
    defect: XmlDefect
    line: int
    message: str

    def describe(self) -> str:
        return f"line {self.line}: {self.message} (tolerated: {self.defect.value})"


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlDocument:
    root: etree._Element
    tolerated: tuple[ToleratedDefect, ...] = ()


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def read_xml(
    data: bytes, *, what: str, limit: int, unsafe_tolerate: UnsafeTolerance = STRICT
) -> XmlDocument:
    """Parse ``data`` as one XML document describing ``what`` (for error messages)."""
    if not data.strip():
        raise InvalidInput(f"{what}: no data to parse")
    if len(data) > limit:
        raise InvalidInput(f"{what}: {len(data)} bytes is over the limit of {limit} bytes")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InvalidInput(f"{what}: a DOCTYPE or entity declaration is not allowed")
    try:
        root = etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError as strict_error:
        if not unsafe_tolerate:
            raise InvalidInput(f"{what}: malformed XML: {strict_error.msg}") from None
        return _read_tolerating(data, what=what, tolerate=unsafe_tolerate, first=strict_error)
    except (ValueError, etree.LxmlError) as e:
        raise InvalidInput(f"{what}: malformed XML: {e}") from None
    return XmlDocument(root=_checked_root(root, what))


_MISMATCH = re.compile(r"Opening and ending tag mismatch: ([\w.:-]+) line \d+ and ([\w.:-]+)")
_QNAME = re.compile(r"Failed to parse QName '(xmlns:[^']+)'")
#: Repairs are applied one at a time, each followed by a strict parse; a bound keeps this cheap.
_MAX_REPAIRS = 8


def _repair(
    data: bytes, error: etree.XMLSyntaxError, tolerate: UnsafeTolerance
) -> tuple[bytes, ToleratedDefect] | None:
    """``data`` with the one defect ``error`` reports repaired, if that defect is tolerated.

    The repair is textual and local (the reported line only), and the result is parsed strictly
    again, so nothing but the named defect can slip through.
    """
    lines = data.split(b"\n")
    index = (error.lineno or 0) - 1
    if not 0 <= index < len(lines):
        return None
    message = error.msg or ""
    line = lines[index]
    mismatch = _MISMATCH.search(message)
    if mismatch and XmlDefect.MISMATCHED_END_TAG in tolerate:
        opened, closed = (m.encode("utf-8") for m in mismatch.groups())
        if b"</" + closed not in line:
            return None
        lines[index] = line.replace(b"</" + closed, b"</" + opened, 1)
        defect = XmlDefect.MISMATCHED_END_TAG
    else:
        qname = _QNAME.search(message)
        if not (qname and XmlDefect.INVALID_NAMESPACE_PREFIX in tolerate):
            return None
        declaration = re.compile(
            rb"\s" + re.escape(qname.group(1).encode("utf-8")) + rb"\s*=\s*(\"[^\"]*\"|'[^']*')"
        )
        repaired = declaration.sub(b"", line, count=1)
        if repaired == line:
            return None
        lines[index] = repaired
        defect = XmlDefect.INVALID_NAMESPACE_PREFIX
    found = ToleratedDefect(defect=defect, line=index + 1, message=message)
    return b"\n".join(lines), found


def _read_tolerating(
    data: bytes, *, what: str, tolerate: UnsafeTolerance, first: etree.XMLSyntaxError
) -> XmlDocument:
    tolerated: list[ToleratedDefect] = []
    error = first
    for _ in range(_MAX_REPAIRS):
        repaired = _repair(data, error, tolerate)
        if repaired is None:
            raise InvalidInput(f"{what}: malformed XML: {error.msg}")
        data, defect = repaired
        tolerated.append(defect)
        try:
            root = etree.fromstring(data, _parser(recover=False))
        except etree.XMLSyntaxError as again:
            error = again
            continue
        return XmlDocument(root=_checked_root(root, what), tolerated=tuple(tolerated))
    raise InvalidInput(f"{what}: malformed XML: more than {_MAX_REPAIRS} defects")


def _checked_root(root: etree._Element | None, what: str) -> etree._Element:
    if root is None or not isinstance(root.tag, str):
        raise InvalidInput(f"{what}: no root element")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise InvalidInput(f"{what}: a DOCTYPE or entity declaration is not allowed")
    return root


def _split(tag: str) -> tuple[str | None, str]:
    """``{namespace}local`` split without lxml's QName, which raises on names libxml2 accepted
    but Namespaces in XML forbids (``<a:b:c xmlns='x'/>``): such a name simply matches nothing."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return None, tag


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return _split(tag)[1]


def namespace(element: etree._Element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return _split(tag)[0]


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct child elements with local name ``name``, whatever their namespace, in order."""
    return [c for c in element if isinstance(c.tag, str) and local_name(c) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    found = children(element, name)
    return found[0] if found else None


def text_of(element: etree._Element) -> str:
    return (element.text or "").strip()


def xml_lang(element: etree._Element) -> str:
    return element.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
