"""A loaded security policy and the lookups every label operation needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from accord.errors import LabelError, NotFound
from accord.labels.model import (
    NO_MARKINGS,
    Category,
    CategoryGroup,
    CategoryRef,
    Classification,
    Markings,
    Tag,
    TagSet,
    TagType,
)

#: ACP 145 category syntaxes (the SPIF's ``rbacId``): which BER encoding a label's categories use.
RBAC_NATO = "2.16.840.1.101.2.1.8.3"
RBAC_MISSI = "2.16.840.1.101.2.1.8.1"


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityPolicy:
    id: str
    name: str
    rbac_id: str = RBAC_NATO
    classifications: tuple[Classification, ...] = ()
    tag_sets: tuple[TagSet, ...] = ()
    markings: Markings = NO_MARKINGS
    #: ``equivalentPolicies``: the name this policy uses for another policy -> its OID.
    equivalent_policies: Mapping[str, str] = field(default_factory=_empty)
    #: Categories a label translated to another policy (by OID) must carry.
    equivalence_required: Mapping[str, tuple[CategoryGroup, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    _by_lacv: dict[int, Classification] = field(init=False, repr=False, compare=False)
    _by_class_name: dict[str, Classification] = field(init=False, repr=False, compare=False)
    _categories: dict[CategoryRef, Category] = field(init=False, repr=False, compare=False)
    _tags: dict[tuple[str, str], Tag] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lacv", {c.lacv: c for c in self.classifications})
        object.__setattr__(self, "_by_class_name", {c.name: c for c in self.classifications})
        categories: dict[CategoryRef, Category] = {}
        tags: dict[tuple[str, str], Tag] = {}
        for tag_set in self.tag_sets:
            for tag in tag_set.tags:
                tags[(tag_set.id, tag.name)] = tag
                for category in tag.categories:
                    categories[category.ref] = category
        object.__setattr__(self, "_categories", categories)
        object.__setattr__(self, "_tags", tags)

    # -- classifications -------------------------------------------------------------------

    def classification(self, lacv: int) -> Classification:
        found = self._by_lacv.get(lacv)
        if found is None:
            raise LabelError(f"policy {self.name} ({self.id}) has no classification {lacv}")
        return found

    def classification_named(self, name: str) -> Classification:
        found = self._by_class_name.get(name)
        if found is None:
            for candidate in self.classifications:
                if candidate.name.casefold() == name.casefold():
                    return candidate
            raise LabelError(f"policy {self.name} has no classification named {name!r}")
        return found

    def by_hierarchy(self) -> tuple[Classification, ...]:
        return tuple(sorted(self.classifications, key=lambda c: c.hierarchy))

    # -- categories ------------------------------------------------------------------------

    def category(self, ref: CategoryRef) -> Category:
        found = self._categories.get(ref)
        if found is None:
            raise LabelError(f"policy {self.name} has no category {ref.describe()}")
        return found

    def tag_set(self, tag_set_id: str) -> TagSet:
        for tag_set in self.tag_sets:
            if tag_set.id == tag_set_id:
                return tag_set
        raise LabelError(f"policy {self.name} has no tag set {tag_set_id}")

    def tag_of(self, category: Category) -> Tag:
        return self._tags[(category.ref.tag_set_id, category.tag_name)]

    def categories_named(self, tag_name: str, kind: str) -> dict[str, Category]:
        """The categories of the tag (or tag set) called ``tag_name`` whose STANAG 4774 type is
        ``kind``, by category name. STANAG 4774 ``Category/@TagName`` names the tag; policies
        whose tag and tag set names differ are matched on either."""
        found: dict[str, Category] = {}
        for tag_set in self.tag_sets:
            for tag in tag_set.tags:
                if tag_name not in (tag.name, tag_set.name):
                    continue
                if tag.tag_type.stanag_4774_type != kind:
                    continue
                for category in tag.categories:
                    found.setdefault(category.name, category)
        if not found:
            raise LabelError(f"policy {self.name} has no {kind.lower()} tag named {tag_name!r}")
        return found

    def all_category_refs(self) -> tuple[CategoryRef, ...]:
        """Every category of the policy, in the policy's order."""
        return tuple(sorted(self._categories, key=lambda r: self._categories[r].ordinal))

    def sorted_categories(self, refs: frozenset[CategoryRef]) -> tuple[Category, ...]:
        """Resolve ``refs`` and order them as the policy lists them."""
        return tuple(sorted((self.category(r) for r in refs), key=lambda c: c.ordinal))

    def find_category(self, tag_set_id: str, tag_type: TagType, lacv: int) -> Category:
        return self.category(CategoryRef(tag_set_id=tag_set_id, tag_type=tag_type, lacv=lacv))

    # -- equivalences ----------------------------------------------------------------------

    def equivalent_policy_id(self, name_or_id: str) -> str | None:
        if name_or_id in self.equivalent_policies.values():
            return name_or_id
        return self.equivalent_policies.get(name_or_id)


@dataclass(frozen=True, slots=True)
class PolicySet:
    """The policies a node knows, by OID and by name."""

    policies: tuple[SecurityPolicy, ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for policy in self.policies:
            if policy.id in seen:
                raise LabelError(f"two policies have the id {policy.id}")
            seen.add(policy.id)

    def with_policy(self, policy: SecurityPolicy) -> PolicySet:
        kept = tuple(p for p in self.policies if p.id != policy.id)
        return PolicySet((*kept, policy))

    def by_id(self, policy_id: str) -> SecurityPolicy:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise LabelError(f"Unknown policy id: {policy_id}")

    def by_name(self, name: str) -> SecurityPolicy:
        for policy in self.policies:
            if policy.name == name:
                return policy
        for policy in self.policies:
            if policy.name.casefold() == name.casefold():
                return policy
        raise LabelError(f"Unknown policy name: {name}")

    def resolve(self, name_or_id: str) -> SecurityPolicy:
        """By OID, else by name (case-insensitive). ``NotFound`` names both attempts."""
        for policy in self.policies:
            if policy.id == name_or_id:
                return policy
        try:
            return self.by_name(name_or_id)
        except LabelError:
            known = ", ".join(f"{p.name} ({p.id})" for p in self.policies) or "none"
            raise NotFound(f"no policy with id or name {name_or_id!r}; known: {known}") from None

    def __iter__(self) -> Iterator[SecurityPolicy]:
        return iter(self.policies)

    def __len__(self) -> int:
        return len(self.policies)
