"""Clearances of people, as the policy engine and the CLI build them from a level name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accord.errors import InvalidInput
from accord.labels.groups import groups_of
from accord.labels.label import Clearance
from accord.labels.security_policy import SecurityPolicy

#: Clearances already built, by (policy identity, level, nation, day, categories): every release
#: and every read needs its user's, and the node's accreditation, which change only with the day.
#: The policy object is kept beside its clearance, so that a key is never matched by another
#: policy that reuses a freed one's identity.
_BUILT: dict[tuple[int, str, str, dt.date, tuple[str, ...]], tuple[SecurityPolicy, Clearance]] = {}
_BUILT_LIMIT = 4096


def national_clearance(
    policy: SecurityPolicy, level: str, nation: str, day: dt.date, categories: Iterable[str] = ()
) -> Clearance:
    """The clearance of a national of ``nation`` cleared to ``level`` under ``policy``: every
    level up to it; the nation's own REL TO value and those of the groups it belongs to on
    ``day``; its national-only caveat (a national may see its nation's EYES ONLY information);
    and the named ``categories`` (any tag of the policy, by category name)."""
    named = tuple(sorted(categories))
    key = (id(policy), level, nation, day, named)
    found = _BUILT.get(key)
    if found is not None and found[0] is policy:
        return found[1]
    clearance = _build(policy, level, nation, day, named)
    if len(_BUILT) >= _BUILT_LIMIT:
        _BUILT.clear()
    _BUILT[key] = (policy, clearance)
    return clearance


def _build(
    policy: SecurityPolicy, level: str, nation: str, day: dt.date, categories: tuple[str, ...]
) -> Clearance:
    try:
        cleared = policy.classification_named(level)
    except InvalidInput:
        known = ", ".join(c.name for c in policy.by_hierarchy())
        raise InvalidInput(
            f"{level!r} is not a level of {policy.name}'s policy ({known})"
        ) from None
    names = {nation, *groups_of(nation, day)}
    refs = set()
    wanted = set(categories)
    for tag_set in policy.tag_sets:
        for tag in tag_set.tags:
            for category in tag.categories:
                own_release = tag_set.name == "Releasable To" and category.name in names
                national = tag_set.name == "Dissemination" and policy.name == nation
                if own_release or national or category.name in wanted:
                    refs.add(category.ref)
                    wanted.discard(category.name)
    if wanted:
        raise InvalidInput(f"{policy.name}'s policy has no category {', '.join(sorted(wanted))}")
    return Clearance(
        policy_id=policy.id,
        classifications=frozenset(
            c.lacv for c in policy.classifications if c.hierarchy <= cleared.hierarchy
        ),
        categories=frozenset(refs),
    )


def node_accreditation(policy: SecurityPolicy, nation: str, day: dt.date) -> Clearance:
    """What a nation's node stands for at release time: its readers are decided one by one
    when they read, so the node carries the nation's highest level."""
    return national_clearance(policy, policy.by_hierarchy()[-1].name, nation, day)
