"""Merging an imported register into the current one: all or nothing.

New types, sources and agreements are added; identical ones are left as they are (so importing
the same file twice changes nothing); one that exists with different content is a
:class:`Conflict` unless the caller asks to replace it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from accord.agreements.catalog import Catalog
from accord.agreements.register import Register, resolved_unknowns
from accord.errors import Conflict

T = TypeVar("T")


@dataclass(slots=True)
class MergeSummary:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Entries that differ from the incoming ones and were kept (``keep_existing``).
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "added": list(self.added),
            "replaced": list(self.replaced),
            "unchanged": list(self.unchanged),
        }


def merge(
    current: Register, incoming: Register, *, replace: bool = False, keep_existing: bool = False
) -> tuple[Register, MergeSummary]:
    """``keep_existing``: an entry that exists with other content is kept as it is (and listed
    in ``kept``) instead of being a conflict: how ``accord init`` brings a newer version's
    public record to a node without overwriting what the node holds."""
    summary = MergeSummary()
    replace_or_keep: bool | None = None if keep_existing else replace
    types = merge_keyed(
        current.catalog.custom,
        incoming.catalog.custom,
        lambda t: t.code,
        "type",
        replace_or_keep,
        summary,
    )
    sources = merge_keyed(
        current.sources, incoming.sources, lambda s: s.id, "source", replace_or_keep, summary
    )
    agreements = merge_keyed(
        current.agreements,
        incoming.agreements,
        lambda a: a.id,
        "agreement",
        replace_or_keep,
        summary,
    )
    designations = current.designations + tuple(
        d for d in incoming.designations if d not in current.designations
    )
    milestones = current.milestones + tuple(
        m for m in incoming.milestones if m not in current.milestones
    )
    summary.added += [
        f"designation {d.title} ({d.nation})" for d in designations[len(current.designations) :]
    ]
    summary.added += [f"milestone {m.date}" for m in milestones[len(current.milestones) :]]
    unknowns = current.unknowns + tuple(u for u in incoming.unknowns if u not in current.unknowns)
    summary.added += [
        f"unknown {u.type} ({', '.join(u.parties)})" for u in unknowns[len(current.unknowns) :]
    ]
    measures = current.measures + tuple(m for m in incoming.measures if m not in current.measures)
    summary.added += [f"measure {m.kind} ({m.nation})" for m in measures[len(current.measures) :]]
    merged = Register(
        catalog=Catalog.with_custom(types),
        agreements=agreements,
        sources=sources,
        designations=designations,
        milestones=milestones,
        unknowns=resolved_unknowns(unknowns, agreements),
        measures=measures,
    )
    return merged, summary


def merge_keyed(
    current: tuple[T, ...],
    incoming: tuple[T, ...],
    key: Callable[[T], str],
    what: str,
    replace: bool | None,
    summary: MergeSummary,
) -> tuple[T, ...]:
    """``replace``: True overwrites an entry that differs, False refuses it (``Conflict``), None
    keeps the existing one."""
    by_key = {key(item): item for item in current}
    for item in incoming:
        name = key(item)
        existing = by_key.get(name)
        if existing is None:
            summary.added.append(f"{what} {name}")
        elif existing == item:
            summary.unchanged.append(f"{what} {name}")
            continue
        elif replace is None:
            summary.kept.append(f"{what} {name}")
            continue
        elif not replace:
            raise Conflict(
                f"{what} '{name}' is already in the register with different "
                "content; import with --replace to overwrite it"
            )
        else:
            summary.replaced.append(f"{what} {name}")
        by_key[name] = item
    return tuple(by_key.values())
