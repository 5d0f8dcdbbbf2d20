"""Loading XML-SPIF 2.1 security policies.

Elements are matched by local name, so SPIFs with and without the ``http://www.xmlspif.org/spif``
namespace prefix both load (both kinds are published). Every reference inside the policy is
checked when it loads (excluded classes, tag set references, equivalent policy references), and
every duplicate is refused with the element that repeats: a policy that means two things is
broken, whatever a lenient tool makes of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType

from lxml import etree

from accord.errors import InvalidInput, LabelError, PolicyError
from accord.labels.label import check_oid, parse_lacv
from accord.labels.model import (
    PLACES,
    Category,
    CategoryData,
    CategoryGroup,
    CategoryRef,
    Classification,
    EquivalentCategory,
    EquivalentClassification,
    InformativeEncoding,
    Marking,
    MarkingCode,
    Markings,
    Operation,
    Phrase,
    Tag,
    TagSet,
    TagType,
)
from accord.labels.security_policy import RBAC_NATO, SecurityPolicy
from accord.labels.xmlsafe import (
    STRICT,
    UnsafeTolerance,
    XmlDocument,
    child,
    children,
    local_name,
    read_xml,
    text_of,
    xml_lang,
)

#: Default size limit of a policy file; the NATO policy is under 100 KiB.
DEFAULT_POLICY_LIMIT = 4 * 1024 * 1024
MAX_CATEGORIES_PER_POLICY = 20_000
#: Bitmap tags encode LACV n as bit n, so their LACVs are kept small enough to encode.
MAX_BITMAP_LACV = 65_535

_CODES = {
    "pageTop": MarkingCode.PAGE_TOP,
    "pageBottom": MarkingCode.PAGE_BOTTOM,
    "pageTopBottom": MarkingCode.PAGE_TOP | MarkingCode.PAGE_BOTTOM,
    "documentStart": MarkingCode.DOCUMENT_START,
    "documentEnd": MarkingCode.DOCUMENT_END,
    "noNameDisplay": MarkingCode.NO_NAME_DISPLAY,
    "noMarkingDisplay": MarkingCode.NO_MARKING_DISPLAY,
    "suppressClassName": MarkingCode.SUPPRESS_CLASS_NAME,
    "replacePolicy": MarkingCode.REPLACE_POLICY,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedPolicy:
    policy: SecurityPolicy
    #: Defects an explicit unsafe tolerance let through, for the caller to report.
    warnings: tuple[str, ...] = ()


def load_policy(
    data: bytes,
    *,
    limit: int = DEFAULT_POLICY_LIMIT,
    unsafe_tolerate: UnsafeTolerance = STRICT,
) -> LoadedPolicy:
    """Load one XML-SPIF policy, or raise ``PolicyError`` with the reason it is broken."""
    try:
        document = read_xml(data, what="policy", limit=limit, unsafe_tolerate=unsafe_tolerate)
    except InvalidInput as e:
        raise PolicyError(e.reason) from None
    try:
        policy = _Loader(document).policy()
    except PolicyError:
        raise
    except InvalidInput as e:
        raise PolicyError(f"policy: {e.reason}") from None
    return LoadedPolicy(policy=policy, warnings=tuple(d.describe() for d in document.tolerated))


def _required(element: etree._Element, attribute: str) -> str:
    value = element.get(attribute)
    if value is None or not value.strip():
        raise PolicyError(f"<{local_name(element)}> has no {attribute}")
    return value


def _integer(element: etree._Element, attribute: str) -> int:
    try:
        return parse_lacv(_required(element, attribute), f"<{local_name(element)}> {attribute}")
    except LabelError as e:
        raise PolicyError(e.reason) from None


def _flag(element: etree._Element, attribute: str) -> bool:
    value = element.get(attribute, "false").strip()
    if value not in ("true", "false", "1", "0"):
        raise PolicyError(f"<{local_name(element)}> {attribute} must be true or false")
    return value in ("true", "1")


def _tag_type(element: etree._Element) -> TagType:
    """``tagType`` (with ``enumType`` for enumerated tags) as XML-SPIF spells it."""
    value = _required(element, "tagType")
    if value == "permissive":
        return TagType.PERMISSIVE
    if value == "restrictive":
        return TagType.RESTRICTIVE
    if value == "tagType7":
        return TagType.INFORMATIVE
    if value == "enumerated":
        enum_type = _required(element, "enumType")
        if enum_type == "permissive":
            return TagType.ENUMERATED_PERMISSIVE
        if enum_type == "restrictive":
            return TagType.ENUMERATED_RESTRICTIVE
        raise PolicyError(f"unknown enumType {enum_type!r}")
    raise PolicyError(f"unknown tagType {value!r}")


@dataclass
class _MarkingDraft:
    prefix: str | None = None
    suffix: str | None = None
    separator: str | None = None
    has_qualifiers: bool = False
    phrases: list[Phrase] = field(default_factory=list)

    def set(self, code: str, text: str) -> None:
        self.has_qualifiers = True
        if code == "prefix" and self.prefix is None:
            self.prefix = text
        elif code == "suffix" and self.suffix is None:
            self.suffix = text
        elif code == "separator" and self.separator is None:
            self.separator = text


def parse_markings(holder: etree._Element) -> Markings:
    """``markingQualifier`` and ``markingData`` of one element, grouped by ``xml:lang``.

    A language with qualifiers of its own takes the unlabelled qualifiers for the parts it does not
    set (a French prefix with the common separator); its phrases are only its own.
    """
    drafts: dict[str, _MarkingDraft] = {}
    for qualifiers in children(holder, "markingQualifier"):
        for qualifier in children(qualifiers, "qualifier"):
            text = qualifier.get("markingQualifier")
            code = qualifier.get("qualifierCode")
            if text is None or code is None:
                continue
            if code not in ("prefix", "suffix", "separator"):
                raise PolicyError(f"unknown qualifierCode {code!r}")
            drafts.setdefault(xml_lang(qualifier), _MarkingDraft()).set(code, text)
    for data in children(holder, "markingData"):
        codes = MarkingCode.NONE
        for code_element in children(data, "code"):
            name = text_of(code_element)
            if name not in _CODES:
                raise PolicyError(f"Unknown marking code {name!r}")
            codes |= _CODES[name]
        if not codes & PLACES:
            codes |= MarkingCode.PAGE_BOTTOM
        drafts.setdefault(xml_lang(data), _MarkingDraft()).phrases.append(
            Phrase(codes=codes, text=data.get("phrase"))
        )
    if not drafts:
        return Markings()
    common = drafts.get("", _MarkingDraft())
    by_language: dict[str, Marking] = {}
    for language, draft in drafts.items():
        fallback = common if (language and draft.has_qualifiers) else _MarkingDraft()
        by_language[language] = Marking(
            language=language,
            prefix=_first(draft.prefix, fallback.prefix),
            suffix=_first(draft.suffix, fallback.suffix),
            separator=_first(draft.separator, fallback.separator),
            phrases=tuple(draft.phrases),
        )
    return Markings(MappingProxyType(by_language))


def _first(*values: str | None) -> str:
    for value in values:
        if value:
            return value
    return ""


def _category_data(element: etree._Element) -> CategoryData:
    tag_set = _required(element, "tagSetRef")
    lacv_text = element.get("lacv")
    lacv = None
    if lacv_text is not None and lacv_text.strip() and not _flag(element, "all"):
        lacv = _integer(element, "lacv")
    return CategoryData(tag_set_name=tag_set, tag_type=_tag_type(element), lacv=lacv)


def _category_group(element: etree._Element) -> CategoryGroup:
    operation_name = _required(element, "operation")
    try:
        operation = Operation(operation_name)
    except ValueError:
        raise PolicyError(f"unknown requiredCategory operation {operation_name!r}") from None
    items = tuple(_category_data(c) for c in children(element, "categoryGroup"))
    if not items:
        raise PolicyError("<requiredCategory> has no categoryGroup")
    return CategoryGroup(operation=operation, items=items)


class _Loader:
    def __init__(self, document: XmlDocument) -> None:
        self.root = document.root
        self.equivalent_policies: dict[str, str] = {}
        self.class_by_name: dict[str, Classification] = {}
        self.ordinal = 0

    def policy(self) -> SecurityPolicy:
        if local_name(self.root) != "SPIF":
            raise PolicyError(
                f"not an XML-SPIF policy: the root element is <{local_name(self.root)}>"
            )
        policy_id_element = child(self.root, "securityPolicyId")
        if policy_id_element is None:
            raise PolicyError("the policy has no securityPolicyId")
        policy_id = check_oid(_required(policy_id_element, "id"))
        name = _required(policy_id_element, "name")
        equivalence_required = self._equivalent_policies()
        classifications = self._classifications()
        tag_sets = self._tag_sets()
        policy = SecurityPolicy(
            id=policy_id,
            name=name,
            rbac_id=self.root.get("rbacId") or RBAC_NATO,
            classifications=classifications,
            tag_sets=tag_sets,
            markings=parse_markings(self.root),
            equivalent_policies=MappingProxyType(dict(self.equivalent_policies)),
            equivalence_required=MappingProxyType(equivalence_required),
        )
        self._check_references(policy)
        return policy

    def _equivalent_policies(self) -> dict[str, tuple[CategoryGroup, ...]]:
        required: dict[str, tuple[CategoryGroup, ...]] = {}
        holder = child(self.root, "equivalentPolicies")
        for element in children(holder, "equivalentPolicy") if holder is not None else []:
            name = _required(element, "name")
            policy_id = check_oid(_required(element, "id"), "equivalent policy id")
            if name in self.equivalent_policies:
                raise PolicyError(f"Duplicate equivalent policy {name}")
            self.equivalent_policies[name] = policy_id
            groups = tuple(_category_group(g) for g in children(element, "requiredCategory"))
            if groups:
                required[policy_id] = groups
        return required

    def _policy_ref(self, element: etree._Element) -> str:
        ref = _required(element, "policyRef")
        if ref not in self.equivalent_policies:
            raise PolicyError(f"PolicyRef not found: {ref} is not among the equivalentPolicies")
        return self.equivalent_policies[ref]

    def _classifications(self) -> tuple[Classification, ...]:
        holder = child(self.root, "securityClassifications")
        elements = children(holder, "securityClassification") if holder is not None else []
        if not elements:
            raise PolicyError("the policy has no securityClassifications")
        by_lacv: dict[int, Classification] = {}
        for element in elements:
            classification = self._classification(element)
            if classification.lacv in by_lacv:
                raise PolicyError(f"Duplicate classification {classification.name}")
            if classification.name in self.class_by_name:
                raise PolicyError(f"Duplicate classification name {classification.name}")
            by_lacv[classification.lacv] = classification
            self.class_by_name[classification.name] = classification
        return tuple(by_lacv.values())

    def _classification(self, element: etree._Element) -> Classification:
        encrypt: list[EquivalentClassification] = []
        decrypt: list[EquivalentClassification] = []
        for equivalent in children(element, "equivalentClassification"):
            applied = _required(equivalent, "applied")
            if applied not in ("encrypt", "decrypt", "both"):
                raise PolicyError(f"equivalentClassification applied={applied!r} is unknown")
            value = EquivalentClassification(
                policy_id=self._policy_ref(equivalent),
                lacv=_integer(equivalent, "lacv"),
                required=tuple(
                    _category_group(g) for g in children(equivalent, "requiredCategory")
                ),
            )
            if applied in ("encrypt", "both"):
                encrypt.append(value)
            if applied in ("decrypt", "both"):
                decrypt.append(value)
        return Classification(
            lacv=_integer(element, "lacv"),
            name=_required(element, "name"),
            hierarchy=_integer(element, "hierarchy"),
            obsolete=_flag(element, "obsolete"),
            color=element.get("color"),
            required=tuple(_category_group(g) for g in children(element, "requiredCategory")),
            markings=parse_markings(element),
            equivalent_encrypt=tuple(encrypt),
            equivalent_decrypt=tuple(decrypt),
        )

    def _tag_sets(self) -> tuple[TagSet, ...]:
        holder = child(self.root, "securityCategoryTagSets")
        tag_sets: list[TagSet] = []
        ids: set[str] = set()
        names: set[str] = set()
        for element in children(holder, "securityCategoryTagSet") if holder is not None else []:
            tag_set_id = check_oid(_required(element, "id"), "tag set id")
            name = _required(element, "name")
            if tag_set_id in ids:
                raise PolicyError(f"Duplicate TagSet id {tag_set_id}")
            if name in names:
                raise PolicyError(f"Duplicate TagSet name {name}")
            ids.add(tag_set_id)
            names.add(name)
            tags = tuple(
                self._tag(t, tag_set_id, name) for t in children(element, "securityCategoryTag")
            )
            tag_sets.append(
                TagSet(id=tag_set_id, name=name, tags=tags, markings=parse_markings(element))
            )
        return tuple(tag_sets)

    def _tag(self, element: etree._Element, tag_set_id: str, tag_set_name: str) -> Tag:
        name = _required(element, "name")
        tag_type = _tag_type(element)
        encoding = None
        if tag_type is TagType.INFORMATIVE:
            encoding_name = _required(element, "tag7Encoding")
            try:
                encoding = InformativeEncoding(encoding_name)
            except ValueError:
                raise PolicyError(f"unknown tag7Encoding {encoding_name!r}") from None
        categories: dict[int, Category] = {}
        names: set[str] = set()
        for category_element in children(element, "tagCategory"):
            category = self._category(category_element, tag_set_id, tag_set_name, name, tag_type)
            if category.lacv in categories:
                raise PolicyError(f"Duplicate category lacv {category.lacv} in tag {name}")
            if category.name in names:
                raise PolicyError(f"Duplicate category name {category.name} in tag {name}")
            categories[category.lacv] = category
            names.add(category.name)
        return Tag(
            name=name,
            tag_set_id=tag_set_id,
            tag_type=tag_type,
            informative_encoding=encoding,
            single_selection=_flag(element, "singleSelection"),
            markings=parse_markings(element),
            categories=tuple(categories.values()),
        )

    def _category(
        self,
        element: etree._Element,
        tag_set_id: str,
        tag_set_name: str,
        tag_name: str,
        tag_type: TagType,
    ) -> Category:
        name = _required(element, "name")
        lacv = _integer(element, "lacv")
        if tag_type in (TagType.RESTRICTIVE, TagType.PERMISSIVE) and lacv > MAX_BITMAP_LACV:
            raise PolicyError(f"category {name}: bitmap lacv {lacv} is over {MAX_BITMAP_LACV}")
        self.ordinal += 1
        if self.ordinal > MAX_CATEGORIES_PER_POLICY:
            raise PolicyError(f"the policy has more than {MAX_CATEGORIES_PER_POLICY} categories")
        excluded_classes: set[int] = set()
        for excluded in children(element, "excludedClass"):
            class_name = text_of(excluded)
            if not class_name:
                raise PolicyError(f"category {name}: empty excludedClass")
            if class_name not in self.class_by_name:
                raise PolicyError(f"Unknown classification in exclusion: {class_name}")
            lacv_excluded = self.class_by_name[class_name].lacv
            if lacv_excluded in excluded_classes:
                raise PolicyError(f"Duplicate excluded classification in category {name}")
            excluded_classes.add(lacv_excluded)
        return Category(
            ref=CategoryRef(tag_set_id=tag_set_id, tag_type=tag_type, lacv=lacv),
            name=name,
            tag_name=tag_name,
            tag_set_name=tag_set_name,
            ordinal=self.ordinal,
            obsolete=_flag(element, "obsolete"),
            excluded_classes=frozenset(excluded_classes),
            excluded=tuple(_category_data(e) for e in children(element, "excludedCategory")),
            required=tuple(_category_group(g) for g in children(element, "requiredCategory")),
            equivalents=tuple(
                self._equivalent_category(e) for e in children(element, "equivalentSecCategoryTag")
            ),
            markings=parse_markings(element),
        )

    def _equivalent_category(self, element: etree._Element) -> EquivalentCategory:
        policy_id = self._policy_ref(element)
        applied = element.get("applied", "both")
        if applied not in ("encrypt", "decrypt", "both"):
            raise PolicyError(f"equivalentSecCategoryTag applied={applied!r} is unknown")
        if element.get("action") is not None:
            if element.get("action") != "discard":
                action = element.get("action")
                raise PolicyError(f"unknown equivalentSecCategoryTag action {action!r}")
            return EquivalentCategory(policy_id=policy_id, target=None, applied=applied)
        target = CategoryRef(
            tag_set_id=check_oid(_required(element, "tagSetId"), "tagSetId"),
            tag_type=_tag_type(element),
            lacv=_integer(element, "lacv"),
        )
        return EquivalentCategory(policy_id=policy_id, target=target, applied=applied)

    def _check_references(self, policy: SecurityPolicy) -> None:
        """Every ``tagSetRef`` names a tag set of this policy."""
        names = {tag_set.name for tag_set in policy.tag_sets}

        def check(items: Iterable[CategoryData], where: str) -> None:
            for item in items:
                if item.tag_set_name not in names:
                    raise PolicyError(f"{where} refers to unknown tag set {item.tag_set_name!r}")

        for classification in policy.classifications:
            for group in classification.required:
                check(group.items, f"classification {classification.name}")
        for tag_set in policy.tag_sets:
            for tag in tag_set.tags:
                for category in tag.categories:
                    check(category.excluded, f"category {category.name}")
                    for group in category.required:
                        check(group.items, f"category {category.name}")
