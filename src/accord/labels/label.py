"""Label and Clearance: the values, independent of how they were encoded.

A label names its policy by OID, one classification by LACV (ESS allows none) and a set of
category values. A clearance names its policy, the classifications its holder may see, and the
categories the holder holds. Both are plain data: what a policy says about them is decided by
``validity``, ``acdf`` and ``marking`` against a ``SecurityPolicy``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from accord.errors import LabelError
from accord.labels.model import CategoryRef

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]{0,38}))+$")

#: ADatP-4774 and ESS both bound a label: the limits here refuse absurd inputs before any work.
MAX_CATEGORIES = 512
MAX_PRIVACY_MARK = 512


def check_oid(value: str, what: str = "policy id") -> str:
    if len(value) > 256 or not _OID.match(value):
        raise LabelError(f"{what} {value!r} is not a dotted object identifier")
    return value


def parse_lacv(value: str, what: str = "lacv") -> int:
    """A LACV as a non-negative integer (``"004"`` is 4). Accord supports numeric LACVs only."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise LabelError(f"{what} {value!r} is not a non-negative integer")
    return int(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Label:
    policy_id: str
    classification: int | None
    categories: frozenset[CategoryRef] = frozenset()
    privacy_mark: str | None = None
    #: STANAG 4774 ``CreationDateTime`` as written (xs:dateTime), when the label carried one.
    created: str | None = None
    _hash: int = field(init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        # Labels key the policy engine's memo tables: hash once, not on every decision.
        return self._hash

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    self.policy_id,
                    self.classification,
                    self.categories,
                    self.privacy_mark,
                    self.created,
                )
            ),
        )
        check_oid(self.policy_id)
        if self.classification is not None and not 0 <= self.classification <= 2**32:
            raise LabelError(f"classification {self.classification} is out of range")
        if len(self.categories) > MAX_CATEGORIES:
            raise LabelError(f"a label may carry at most {MAX_CATEGORIES} categories")
        if self.privacy_mark is not None and len(self.privacy_mark) > MAX_PRIVACY_MARK:
            raise LabelError(f"privacy mark is longer than {MAX_PRIVACY_MARK} characters")

    def sorted_categories(self) -> tuple[CategoryRef, ...]:
        return tuple(sorted(self.categories, key=lambda r: r.sort_key))

    def with_categories(self, categories: frozenset[CategoryRef]) -> Label:
        return replace(self, categories=categories)

    def same_content(self, other: Label) -> bool:
        """Equal policy, classification and categories (privacy mark and creation time aside)."""
        return (
            self.policy_id == other.policy_id
            and self.classification == other.classification
            and self.categories == other.categories
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Clearance:
    policy_id: str
    classifications: frozenset[int] = frozenset()
    categories: frozenset[CategoryRef] = frozenset()
    _hash: int = field(init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        return self._hash

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_hash", hash((self.policy_id, self.classifications, self.categories))
        )
        check_oid(self.policy_id)
        if len(self.categories) > MAX_CATEGORIES:
            raise LabelError(f"a clearance may carry at most {MAX_CATEGORIES} categories")

    def sorted_categories(self) -> tuple[CategoryRef, ...]:
        return tuple(sorted(self.categories, key=lambda r: r.sort_key))
