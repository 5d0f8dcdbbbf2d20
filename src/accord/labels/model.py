"""The values of a security policy (XML-SPIF 2.1) and of the labels and clearances it governs.

A policy names classifications (ordered by ``hierarchy``) and security categories. Categories
are grouped into tags (one tag type each: restrictive, permissive, enumerated restrictive or
permissive, informative) and tags into tag sets, which carry the OID that labels use. Each value a
label or clearance may hold is identified by ``CategoryRef``: tag set id, tag type and LACV (the
Local Attribute Category Value of the XML-SPIF schema).

The rules of the policy (exclusions, requirements, markings, equivalences) live on these values;
``validity``, ``marking``, ``acdf`` and ``equivalence`` interpret them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from accord.errors import LabelError


class TagType(enum.Enum):
    """XML-SPIF tag types. ``informative`` is the SPIF's ``tagType7``."""

    RESTRICTIVE = "restrictive"
    PERMISSIVE = "permissive"
    ENUMERATED_RESTRICTIVE = "enumeratedRestrictive"
    ENUMERATED_PERMISSIVE = "enumeratedPermissive"
    INFORMATIVE = "informative"

    @property
    def is_restrictive(self) -> bool:
        """A label's restrictive category must each be held by a clearance (ACP 145 ACDF)."""
        return self in (TagType.RESTRICTIVE, TagType.ENUMERATED_RESTRICTIVE)

    @property
    def is_permissive(self) -> bool:
        """Of a label's permissive categories in one tag, a clearance must hold at least one."""
        return self in (TagType.PERMISSIVE, TagType.ENUMERATED_PERMISSIVE)

    @property
    def stanag_4774_type(self) -> str:
        """The ``Type`` attribute of a STANAG 4774 ``Category``."""
        if self.is_restrictive:
            return "RESTRICTIVE"
        if self.is_permissive:
            return "PERMISSIVE"
        return "INFORMATIVE"

    @classmethod
    def parse(cls, value: str) -> TagType:
        for member in cls:
            if member.value == value:
                return member
        raise LabelError(f"unknown tag type {value!r}")


class InformativeEncoding(enum.Enum):
    """How an informative (tagType7) tag's values are encoded in BER (ACP 145 FreeFormField)."""

    BIT_SET = "bitSetAttributes"
    ENUMERATED = "securityAttributes"


class Operation(enum.Enum):
    ONLY_ONE = "onlyOne"
    ONE_OR_MORE = "oneOrMore"
    ALL = "all"


class MarkingCode(enum.IntFlag):
    """XML-SPIF marking codes. Where a phrase applies and how it is used."""

    NONE = 0
    PAGE_TOP = 1
    PAGE_BOTTOM = 2
    DOCUMENT_START = 4
    DOCUMENT_END = 8
    NO_NAME_DISPLAY = 16
    NO_MARKING_DISPLAY = 32
    SUPPRESS_CLASS_NAME = 64
    REPLACE_POLICY = 128


#: The codes that name a place on a page or in a document.
PLACES = (
    MarkingCode.PAGE_TOP
    | MarkingCode.PAGE_BOTTOM
    | MarkingCode.DOCUMENT_START
    | MarkingCode.DOCUMENT_END
    | MarkingCode.NO_MARKING_DISPLAY
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Phrase:
    codes: MarkingCode
    text: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Marking:
    """The marking rules of one element (policy, classification, tag, category) in one language.

    The first phrase whose place matches the place being marked decides (XML-SPIF markingData).
    """

    language: str = ""
    prefix: str = ""
    suffix: str = ""
    separator: str = ""
    phrases: tuple[Phrase, ...] = ()

    def _first(self, place: MarkingCode) -> Phrase | None:
        for phrase in self.phrases:
            if phrase.codes & place:
                return phrase
        return None

    def phrase(self, place: MarkingCode, name: str) -> str:
        """The text shown for an element called ``name``: nothing when ``noNameDisplay``."""
        found = self._first(place)
        if found is None:
            return name
        if found.codes & MarkingCode.NO_NAME_DISPLAY:
            return ""
        if found.codes & MarkingCode.REPLACE_POLICY or found.text is None:
            return name
        return found.text

    def policy_phrase(self, place: MarkingCode, name: str) -> str:
        found = self._first(place | MarkingCode.REPLACE_POLICY)
        if found is None or found.text is None:
            return name
        return found.text

    def replaces_policy(self, place: MarkingCode) -> bool:
        found = self._first(place)
        return found is not None and bool(found.codes & MarkingCode.REPLACE_POLICY)

    def suppresses_class_name(self, place: MarkingCode) -> bool:
        found = self._first(place)
        return found is not None and bool(found.codes & MarkingCode.SUPPRESS_CLASS_NAME)


@dataclass(frozen=True, slots=True)
class Markings:
    """An element's markings by language tag (BCP 47); ``""`` holds those without ``xml:lang``."""

    by_language: Mapping[str, Marking] = field(default_factory=lambda: MappingProxyType({}))

    def for_language(self, language: str) -> Marking | None:
        """Exact tag, then its primary subtag (``fr-CA`` -> ``fr``), then the unlabelled one."""
        found = self.by_language.get(language)
        if found is None and language:
            primary = language.replace("_", "-").split("-", 1)[0]
            found = self.by_language.get(primary)
        if found is None:
            found = self.by_language.get("")
        return found

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.by_language))


NO_MARKINGS = Markings()


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryRef:
    """One security category value as labels and clearances carry it."""

    tag_set_id: str
    tag_type: TagType
    lacv: int

    @property
    def sort_key(self) -> tuple[str, str, int]:
        return (self.tag_set_id, self.tag_type.value, self.lacv)

    def describe(self) -> str:
        return f"{self.tag_type.value} {self.lacv} in tag set {self.tag_set_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryData:
    """A reference to categories by tag set name, tag type and LACV (all LACVs when ``None``)."""

    tag_set_name: str
    tag_type: TagType
    lacv: int | None = None

    def matches(self, category: Category) -> bool:
        return (
            category.tag_type is self.tag_type
            and category.tag_set_name == self.tag_set_name
            and (self.lacv is None or category.lacv == self.lacv)
        )

    def describe(self) -> str:
        which = "any value" if self.lacv is None else f"value {self.lacv}"
        return f"{which} of the {self.tag_type.value} tag in {self.tag_set_name!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryGroup:
    """``requiredCategory``: a set of category references and how many must be present."""

    operation: Operation
    items: tuple[CategoryData, ...]

    def matches(self, present: tuple[Category, ...]) -> bool:
        hits = sum(1 for item in self.items if any(item.matches(c) for c in present))
        if self.operation is Operation.ALL:
            return hits == len(self.items)
        if self.operation is Operation.ONE_OR_MORE:
            return hits >= 1
        return hits == 1

    def describe(self) -> str:
        what = "; ".join(item.describe() for item in self.items)
        words = {
            Operation.ALL: "all of",
            Operation.ONE_OR_MORE: "one or more of",
            Operation.ONLY_ONE: "exactly one of",
        }
        return f"{words[self.operation]}: {what}"


@dataclass(frozen=True, slots=True, kw_only=True)
class EquivalentClassification:
    policy_id: str
    lacv: int
    required: tuple[CategoryGroup, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EquivalentCategory:
    """``equivalentSecCategoryTag``: the category this one becomes under another policy, or
    nothing (``discard``) when the other policy has no such notion."""

    policy_id: str
    target: CategoryRef | None
    #: ``encrypt``, ``decrypt`` or ``both``: the direction of translation it applies to.
    applied: str = "both"

    @property
    def on_encrypt(self) -> bool:
        return self.applied in ("encrypt", "both")


@dataclass(frozen=True, slots=True, kw_only=True)
class Classification:
    lacv: int
    name: str
    hierarchy: int
    obsolete: bool = False
    color: str | None = None
    required: tuple[CategoryGroup, ...] = ()
    markings: Markings = NO_MARKINGS
    equivalent_encrypt: tuple[EquivalentClassification, ...] = ()
    equivalent_decrypt: tuple[EquivalentClassification, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    """One value of a tag, with everything the policy says about it."""

    ref: CategoryRef
    name: str
    tag_name: str
    tag_set_name: str
    #: Position in the policy document: markings and encodings list categories in this order.
    ordinal: int
    obsolete: bool = False
    excluded_classes: frozenset[int] = frozenset()
    excluded: tuple[CategoryData, ...] = ()
    required: tuple[CategoryGroup, ...] = ()
    equivalents: tuple[EquivalentCategory, ...] = ()
    markings: Markings = NO_MARKINGS

    @property
    def tag_type(self) -> TagType:
        return self.ref.tag_type

    @property
    def lacv(self) -> int:
        return self.ref.lacv


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    name: str
    tag_set_id: str
    tag_type: TagType
    informative_encoding: InformativeEncoding | None = None
    single_selection: bool = False
    markings: Markings = NO_MARKINGS
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TagSet:
    id: str
    name: str
    tags: tuple[Tag, ...] = ()
    markings: Markings = NO_MARKINGS
