"""Item categories: which foundational agreement an item needs before it may be transferred.

PURE. Each category names the capability an agreement in force between buyer and seller must
provide (``None``: no foundational agreement is needed) and the legal basis of that need, as
DOMAIN.md section 4 gives it. The defaults below are data: a transfers document may add
categories or replace these (``categories:``), so an operator can state their own reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from accord.agreements.model import text
from accord.agreements.vocabulary import Capability, slug
from accord.errors import InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemCategory:
    name: str
    #: The capability an agreement in force must provide; ``None``: none is needed.
    capability: str | None
    #: Why, with the provision it rests on.
    basis: str
    description: str = ""

    def __post_init__(self) -> None:
        slug(self.name, "item category")
        if self.capability is not None:
            slug(self.capability, "capability")
        text(self.basis, "basis", required=True)
        text(self.description, "description")


DEFAULT_CATEGORIES: tuple[ItemCategory, ...] = (
    ItemCategory(
        name="comsec-equipment",
        capability=Capability.COMSEC_EQUIPMENT.value,
        description="secure radios, cryptographic units, Link-16/MIDS terminals, IFF crypto",
        basis=(
            "COMSEC equipment and cryptographic material are ITAR-controlled (22 CFR 120-130); "
            "releasing them to a foreign government needs a COMSEC agreement (NSD-42 para 7.e; "
            "CNSSP 8, 2021-09-23); DSCA's standard LOA note for COMSEC requires safeguarding as "
            "set forth in the CISMOA (or NATO's NAG-14C/18A, or another COMSEC agreement)"
        ),
    ),
    ItemCategory(
        name="classified-technology",
        capability=Capability.CLASSIFIED_INFORMATION.value,
        description="classified defence articles, software or technical data",
        basis=(
            "a GSOMIA 'satisfies, in part' the Arms Export Control Act condition that a buyer "
            "protect US classified defence articles (32 CFR 117.19)"
        ),
    ),
    ItemCategory(
        name="logistics-support",
        capability=Capability.LOGISTICS_SUPPORT.value,
        description="reimbursable logistic support, supplies and services",
        basis=(
            "acquisition and cross-servicing under an LSA/ACSA (10 U.S.C. 2341-2350); significant "
            "military equipment is excluded"
        ),
    ),
    ItemCategory(
        name="geospatial-products",
        capability=Capability.GEOSPATIAL_INTELLIGENCE.value,
        description="maps, charts, imagery, geodetic and geophysical data, GEOINT",
        basis="exchange of geospatial information and GEOINT under a BECA",
    ),
    ItemCategory(
        name="unclassified-equipment",
        capability=None,
        description="unclassified platforms, munitions and spares with no COMSEC fit",
        basis="no foundational agreement: an export licence (DCS) or an LOA (FMS) alone",
    ),
)


class Categories:
    """The item categories in force on a node: the defaults, then a document's own."""

    def __init__(self, categories: Iterable[ItemCategory] = DEFAULT_CATEGORIES) -> None:
        by_name: dict[str, ItemCategory] = {}
        for category in categories:
            by_name[category.name] = category
        self._by_name: Mapping[str, ItemCategory] = MappingProxyType(by_name)

    def with_categories(self, categories: Iterable[ItemCategory]) -> Categories:
        """These categories added, or replacing the ones of the same name."""
        return Categories([*self._by_name.values(), *categories])

    def get(self, name: str) -> ItemCategory:
        found = self._by_name.get(name.strip().lower())
        if found is None:
            known = ", ".join(sorted(self._by_name))
            raise InvalidInput(f"unknown item category '{name[:40]}': expected one of {known}")
        return found

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._by_name.values(), key=lambda c: c.name))
