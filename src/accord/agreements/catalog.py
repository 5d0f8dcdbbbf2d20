"""The catalog of agreement types: the four US foundational agreements, their aliases, the
capabilities each enables, and room for types an operator defines (a data-sharing MOU, say).

Source for what each type makes possible: ``shared/DOMAIN.md`` section 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from accord.agreements.vocabulary import Capability, slug
from accord.errors import InvalidInput

_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")


def _key(name: str) -> str:
    """Type names match ignoring case and punctuation: CIS-MOA, cismoa and CISMOA are one."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementType:
    code: str
    name: str
    capabilities: frozenset[str]
    aliases: tuple[str, ...] = ()
    description: str = ""
    builtin: bool = False

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise InvalidInput(
                f"invalid type code '{self.code[:40]}': upper-case letters, digits, hyphens"
            )
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidInput("a type needs a name of 1-200 characters", field="name")
        if not self.capabilities:
            raise InvalidInput(f"type {self.code} enables no capability", field="capabilities")
        for capability in self.capabilities:
            slug(capability, "capability")
        for alias in self.aliases:
            if not _key(alias) or len(alias) > 32:
                raise InvalidInput(f"invalid alias '{alias[:40]}'", field="aliases")

    def names(self) -> Iterator[str]:
        yield self.code
        yield from self.aliases


BUILTIN_TYPES: tuple[AgreementType, ...] = (
    AgreementType(
        code="GSOMIA",
        name="General Security of Military Information Agreement",
        capabilities=frozenset(
            {Capability.CLASSIFIED_INFORMATION, Capability.CLASSIFICATION_EQUIVALENCE}
        ),
        description="Exchange of classified military information, each side protecting the "
        "other's to an equivalent degree; fixes the classification equivalence table.",
        builtin=True,
    ),
    AgreementType(
        code="LSA",
        name="Logistics Support Agreement",
        aliases=("ACSA", "LEMOA"),
        capabilities=frozenset({Capability.LOGISTICS_SUPPORT}),
        description="Reimbursable exchange of logistic support, supplies and services; "
        "significant military equipment excluded (10 U.S.C. 2341-2350).",
        builtin=True,
    ),
    AgreementType(
        code="CISMOA",
        name="Communications and Information Security Memorandum of Agreement",
        aliases=("CIS-MOA", "COMCASA", "CISMOU"),
        capabilities=frozenset({Capability.SECURE_COMMUNICATIONS, Capability.COMSEC_EQUIPMENT}),
        description="Transfer of COMSEC equipment and use of encrypted, interoperable links.",
        builtin=True,
    ),
    AgreementType(
        code="BECA",
        name="Basic Exchange and Cooperation Agreement",
        capabilities=frozenset({Capability.GEOSPATIAL_INTELLIGENCE}),
        description="Exchange of geospatial information and intelligence; no release to "
        "third parties.",
        builtin=True,
    ),
)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Agreement types by code and alias. Built-in types are always present."""

    types: tuple[AgreementType, ...]
    _by_key: dict[str, AgreementType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, AgreementType] = {}
        for agreement_type in self.types:
            for name in agreement_type.names():
                key = _key(name)
                if key in by_key and by_key[key] is not agreement_type:
                    raise InvalidInput(
                        f"type name '{name}' is already used by {by_key[key].code}",
                        field="types",
                    )
                by_key[key] = agreement_type
        object.__setattr__(self, "_by_key", by_key)

    @classmethod
    def with_custom(cls, custom: Iterable[AgreementType] = ()) -> Catalog:
        extra = tuple(t for t in custom if not t.builtin)
        return cls(BUILTIN_TYPES + extra)

    def resolve(self, name: str) -> AgreementType:
        found = self._by_key.get(_key(name))
        if found is None:
            known = ", ".join(t.code for t in self.types)
            shown = name if len(name) <= 32 else name[:32] + "..."
            raise InvalidInput(f"unknown agreement type '{shown}': expected one of {known}")
        return found

    @property
    def custom(self) -> tuple[AgreementType, ...]:
        return tuple(t for t in self.types if not t.builtin)

    def capabilities(self) -> frozenset[str]:
        return frozenset(c for t in self.types for c in t.capabilities)
