"""ESS security labels in BER/DER (RFC 2634 section 5.4), categories in ACP 145(A) syntax.

::

    ESSSecurityLabel ::= SET {
      security-policy-identifier SecurityPolicyIdentifier,        -- OID
      security-classification    SecurityClassification OPTIONAL, -- INTEGER (0..256)
      privacy-mark               ESSPrivacyMark OPTIONAL,         -- PrintableString | UTF8String
      security-categories        SecurityCategories OPTIONAL }    -- SET SIZE (1..64) OF
    SecurityCategory ::= SEQUENCE { type [0] IMPLICIT OID, value [1] EXPLICIT ANY }

ACP 145(A) category syntaxes (``type``), for policies whose ``rbacId`` is the NATO syntax:

- ``...8.3.0`` restrictive bitmap and ``...8.3.2`` permissive bitmap:
  ``SEQUENCE { tagName OID, attributeFlags BIT STRING }``, bit n set for LACV n;
- ``...8.3.1`` enumerated permissive and ``...8.3.4`` enumerated restrictive:
  ``SEQUENCE { tagName OID, attributeList SET OF INTEGER }``;
- ``...8.3.3`` informative: ``SEQUENCE { tagName OID, field CHOICE { bitSetAttributes BIT
  STRING, securityAttributes SET OF INTEGER } }``.

``tagName`` is the tag set's OID. Writing is DER; reading accepts BER and refuses trailing bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyasn1.codec.ber import decoder as ber_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import char, constraint, namedtype, tag, univ
from pyasn1.type.base import Asn1Type

from accord.errors import LabelError
from accord.labels.label import MAX_CATEGORIES, MAX_PRIVACY_MARK, Label
from accord.labels.model import CategoryRef, InformativeEncoding, TagType
from accord.labels.security_policy import RBAC_NATO, PolicySet, SecurityPolicy
from accord.labels.spif import MAX_BITMAP_LACV

DEFAULT_BER_LIMIT = 64 * 1024

_SYNTAX = "2.16.840.1.101.2.1.8.3"
RESTRICTIVE_BITMAP = f"{_SYNTAX}.0"
ENUMERATED_PERMISSIVE = f"{_SYNTAX}.1"
PERMISSIVE_BITMAP = f"{_SYNTAX}.2"
INFORMATIVE = f"{_SYNTAX}.3"
ENUMERATED_RESTRICTIVE = f"{_SYNTAX}.4"

_TYPE_OIDS = {
    TagType.RESTRICTIVE: RESTRICTIVE_BITMAP,
    TagType.PERMISSIVE: PERMISSIVE_BITMAP,
    TagType.ENUMERATED_PERMISSIVE: ENUMERATED_PERMISSIVE,
    TagType.ENUMERATED_RESTRICTIVE: ENUMERATED_RESTRICTIVE,
    TagType.INFORMATIVE: INFORMATIVE,
}
_OID_TYPES = {oid: tag_type for tag_type, oid in _TYPE_OIDS.items()}


class _CategoryType(univ.ObjectIdentifier):
    """``type [0] IMPLICIT OBJECT IDENTIFIER``."""

    tagSet = univ.ObjectIdentifier.tagSet.tagImplicitly(  # type: ignore[no-untyped-call]  # stubs
        tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
    )


class _CategoryValue(univ.Any):
    """``value [1] EXPLICIT ANY`` (an ANY cannot be tagged implicitly)."""

    tagSet = univ.Any.tagSet.tagExplicitly(  # type: ignore[no-untyped-call]  # partial stubs
        tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
    )


class _SecurityCategory(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", _CategoryType()),
        namedtype.NamedType("value", _CategoryValue()),
    )


class _SecurityCategories(univ.SetOf):
    componentType = _SecurityCategory()
    sizeSpec = constraint.ConstraintsIntersection(constraint.ValueSizeConstraint(1, 64))


class _PrivacyMark(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("pString", char.PrintableString()),
        namedtype.NamedType("utf8String", char.UTF8String()),
    )


class _ESSSecurityLabel(univ.Set):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("security-policy-identifier", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("security-classification", univ.Integer()),
        namedtype.OptionalNamedType("privacy-mark", _PrivacyMark()),
        namedtype.OptionalNamedType("security-categories", _SecurityCategories()),
    )


class _BitmapTag(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("tagName", univ.ObjectIdentifier()),
        namedtype.NamedType("attributeFlags", univ.BitString()),
    )


class _EnumeratedTag(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("tagName", univ.ObjectIdentifier()),
        namedtype.NamedType("attributeList", univ.SetOf(componentType=univ.Integer())),
    )


class _FreeFormField(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("bitSetAttributes", univ.BitString()),
        namedtype.NamedType("securityAttributes", univ.SetOf(componentType=univ.Integer())),
    )


class _InformativeTag(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("tagName", univ.ObjectIdentifier()),
        namedtype.NamedType("field", _FreeFormField()),
    )


# -- writing -------------------------------------------------------------------------------


def _bits(lacvs: Iterable[int]) -> univ.BitString:
    values = sorted(lacvs)
    flags = [0] * (values[-1] + 1)
    for lacv in values:
        flags[lacv] = 1
    return univ.BitString(flags)


def _category_value(
    policy: SecurityPolicy, tag_set_id: str, tag_type: TagType, lacvs: list[int]
) -> bytes:
    if tag_type in (TagType.RESTRICTIVE, TagType.PERMISSIVE):
        bitmap = _BitmapTag()
        bitmap["tagName"] = tag_set_id
        bitmap["attributeFlags"] = _bits(lacvs)
        return bytes(der_encoder.encode(bitmap))
    if tag_type is TagType.INFORMATIVE:
        informative = _InformativeTag()
        informative["tagName"] = tag_set_id
        category = policy.find_category(tag_set_id, tag_type, lacvs[0])
        encoding = policy.tag_of(category).informative_encoding
        if encoding is InformativeEncoding.ENUMERATED:
            informative["field"]["securityAttributes"].extend(sorted(lacvs))
        else:
            informative["field"]["bitSetAttributes"] = _bits(lacvs)
        return bytes(der_encoder.encode(informative))
    enumerated = _EnumeratedTag()
    enumerated["tagName"] = tag_set_id
    enumerated["attributeList"].extend(sorted(lacvs))
    return bytes(der_encoder.encode(enumerated))


def encode_label(label: Label, policy: SecurityPolicy) -> bytes:
    """The DER encoding of ``label`` (whose policy is ``policy``)."""
    if label.policy_id != policy.id:
        raise LabelError(f"the label is under policy {label.policy_id}, not {policy.id}")
    if policy.rbac_id != RBAC_NATO and label.categories:
        raise LabelError(
            f"policy {policy.name} uses category syntax {policy.rbac_id}, "
            "which Accord does not encode (only the ACP 145 NATO syntax)"
        )
    value = _ESSSecurityLabel()
    value["security-policy-identifier"] = label.policy_id
    if label.classification is not None:
        value["security-classification"] = label.classification
    if label.privacy_mark is not None:
        value["privacy-mark"]["utf8String"] = label.privacy_mark
    groups: dict[tuple[str, TagType], list[int]] = {}
    for ref in label.sorted_categories():
        policy.category(ref)
        groups.setdefault((ref.tag_set_id, ref.tag_type), []).append(ref.lacv)
    if len(groups) > 64:
        raise LabelError("an ESS label carries at most 64 security categories")
    for (tag_set_id, tag_type), lacvs in groups.items():
        category = _SecurityCategory()
        category["type"] = _TYPE_OIDS[tag_type]
        category["value"] = _category_value(policy, tag_set_id, tag_type, lacvs)
        value["security-categories"].append(category)
    try:
        return bytes(der_encoder.encode(value))
    except PyAsn1Error as e:
        raise LabelError(f"cannot encode the label in DER: {e}") from None


# -- reading -------------------------------------------------------------------------------


def _decode(data: bytes, spec: Asn1Type, what: str) -> Any:  # pyasn1 values are dynamic
    try:
        value, rest = ber_decoder.decode(data, asn1Spec=spec)
    except (PyAsn1Error, ValueError, TypeError, RecursionError, OverflowError) as e:
        # OverflowError: a length too large for any buffer (pyasn1 reads it as asked).
        raise LabelError(f"Failed to parse BER/DER encoded {what}: {str(e)[:200]}") from None
    if rest:
        raise LabelError(f"Failed to parse BER/DER encoded {what}: {len(rest)} trailing bytes")
    return value


def _set_bits(bits: univ.BitString) -> list[int]:
    flags = tuple(bits)
    if len(flags) > MAX_BITMAP_LACV + 1:
        raise LabelError(f"a category bitmap is longer than {MAX_BITMAP_LACV + 1} bits")
    return [i for i, bit in enumerate(flags) if bit]


def _integers(values: univ.SetOf) -> list[int]:
    found = [int(v) for v in values]
    if any(v < 0 or v > 2**32 for v in found):
        raise LabelError("a category attribute is out of range")
    return found


def _read_category(category: Any) -> list[CategoryRef]:
    type_oid = str(category["type"])
    tag_type = _OID_TYPES.get(type_oid)
    if tag_type is None:
        raise LabelError(f"unsupported security category syntax {type_oid}")
    body = bytes(category["value"])
    if tag_type in (TagType.RESTRICTIVE, TagType.PERMISSIVE):
        bitmap = _decode(body, _BitmapTag(), "security category")
        tag_set_id, lacvs = str(bitmap["tagName"]), _set_bits(bitmap["attributeFlags"])
    elif tag_type is TagType.INFORMATIVE:
        informative = _decode(body, _InformativeTag(), "security category")
        tag_set_id = str(informative["tagName"])
        field = informative["field"]
        if field.getName() == "bitSetAttributes":
            lacvs = _set_bits(field["bitSetAttributes"])
        else:
            lacvs = _integers(field["securityAttributes"])
    else:
        enumerated = _decode(body, _EnumeratedTag(), "security category")
        tag_set_id, lacvs = str(enumerated["tagName"]), _integers(enumerated["attributeList"])
    if len(lacvs) > MAX_CATEGORIES:
        raise LabelError(f"a label may carry at most {MAX_CATEGORIES} categories")
    return [CategoryRef(tag_set_id=tag_set_id, tag_type=tag_type, lacv=v) for v in lacvs]


def decode_label(data: bytes, policies: PolicySet, *, limit: int = DEFAULT_BER_LIMIT) -> Label:
    """Read a BER ESS security label whose policy is one of ``policies``."""
    if not data:
        raise LabelError("No data to parse")
    if len(data) > limit:
        raise LabelError(f"label: {len(data)} bytes is over the limit of {limit} bytes")
    value = _decode(data, _ESSSecurityLabel(), "label")
    policy_value = value["security-policy-identifier"]
    if not policy_value.isValue:
        raise LabelError("No policy in label")
    policy = policies.by_id(str(policy_value))
    classification = None
    if value["security-classification"].isValue:
        classification = int(value["security-classification"])
        policy.classification(classification)
    privacy_mark = None
    if value["privacy-mark"].isValue:
        privacy_mark = str(value["privacy-mark"].getComponent())
        if len(privacy_mark) > MAX_PRIVACY_MARK:
            raise LabelError(f"privacy mark is longer than {MAX_PRIVACY_MARK} characters")
    refs: set[CategoryRef] = set()
    if value["security-categories"].isValue:
        for category in value["security-categories"]:
            refs.update(_read_category(category))
            if len(refs) > MAX_CATEGORIES:
                raise LabelError(f"a label may carry at most {MAX_CATEGORIES} categories")
    for ref in refs:
        policy.category(ref)
    return Label(
        policy_id=policy.id,
        classification=classification,
        categories=frozenset(refs),
        privacy_mark=privacy_mark,
    )
