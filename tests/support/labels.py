"""Labels under Accord's shipped policies, built by name for readable tests."""

from __future__ import annotations

from accord.labels.label import Label
from accord.labels.national import national_policy
from accord.labels.security_policy import SecurityPolicy


def label(nation: str, classification: str, *categories: tuple[str, str]) -> Label:
    """``label("USA", "SECRET", ("Releasable To", "PAK"))``."""
    policy = national_policy(nation)
    refs = set()
    for tag_set_name, value in categories:
        tag_set = next(t for t in policy.tag_sets if t.name == tag_set_name)
        category = next(c for tag in tag_set.tags for c in tag.categories if c.name == value)
        refs.add(category.ref)
    return Label(
        policy_id=policy.id,
        classification=policy.classification_named(classification).lacv,
        categories=frozenset(refs),
    )


def rel_to(nation: str, classification: str, *nations: str) -> Label:
    return label(nation, classification, *(("Releasable To", n) for n in nations))


def policy(nation: str) -> SecurityPolicy:
    return national_policy(nation)
