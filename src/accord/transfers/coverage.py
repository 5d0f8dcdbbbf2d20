"""The coverage check: was a transfer covered by the agreement it needs, on a day or at each of a
case's dated events, and if not, why?

PURE. An item of a category that needs a capability (``categories``) is **covered** on a day when
an agreement between buyer and seller that provides that capability is in force that day (the
register's own lifecycle rules: an ``uncertain`` day is never in force). Otherwise it is
**unknown** when some such agreement's status that day is uncertain, and **not covered** when
none is in force: the reasons say which agreements exist and why each was not in force (not yet
signed, lapsed since, suspended, terminated), or that none provides the capability at all. A
case event dated to a window (``2025-12``) is covered only if the item is covered on every day of
it; if the answer changes inside the window, it is unknown, naming the day it changed.

The result is fail-closed: nothing here answers covered without naming the agreement in force.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from accord.agreements.dates import FuzzyDate
from accord.agreements.lifecycle import StatusReport
from accord.agreements.register import Register
from accord.agreements.vocabulary import Status
from accord.policy.model import Outcome, RuleResult
from accord.transfers.categories import Categories, ItemCategory
from accord.transfers.conditions import conditions
from accord.transfers.model import CaseEvent, TransferCase

RULE = "agreement-in-force"
#: The widest event date the check decides day by day (a year's window, "2006").
MAX_WINDOW_DAYS = 366


class CoverageStatus(enum.StrEnum):
    COVERED = "covered"
    NOT_COVERED = "not-covered"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    category: str
    status: CoverageStatus
    agreements: tuple[str, ...]
    #: Until when the covering agreement's term runs (``None``: no end recorded, or not covered).
    until: FuzzyDate | None
    reasons: tuple[RuleResult, ...]

    @property
    def covered(self) -> bool:
        return self.status is CoverageStatus.COVERED

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "covered": self.covered,
            "status": self.status.value,
            "agreements": list(self.agreements),
            "until": str(self.until) if self.until else None,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def coverage(
    register: Register,
    categories: Categories,
    *,
    buyer: str,
    seller: str,
    category: str,
    day: dt.date,
) -> Coverage:
    """Is an item of ``category`` covered for a transfer from ``seller`` to ``buyer`` on ``day``?"""
    needs = categories.get(category)
    if needs.capability is None:
        return Coverage(
            category=needs.name,
            status=CoverageStatus.COVERED,
            agreements=(),
            until=None,
            reasons=(
                RuleResult(
                    RULE, Outcome.NOT_APPLICABLE, f"{needs.name} needs no agreement: {needs.basis}"
                ),
            ),
        )
    reports = [
        r
        for r in register.status_between(buyer, seller, day)
        if needs.capability in register.capabilities_of(register.get(r.agreement_id))
    ]
    if not reports:
        unknown = [
            u
            for u in register.unknowns_between(buyer, seller)
            if needs.capability in register.catalog.resolve(u.type).capabilities
        ]
        if unknown:
            return Coverage(
                category=needs.name,
                status=CoverageStatus.UNKNOWN,
                agreements=(),
                until=None,
                reasons=tuple(
                    RuleResult(
                        RULE,
                        Outcome.FAILED,
                        f"whether a {u.type} between {buyer} and {seller} exists is unknown "
                        f"({u.reason}); {needs.name} needs one ({needs.basis})",
                    )
                    for u in unknown
                ),
            )
    return _judged(needs, reports, day, buyer, seller)


def _judged(
    needs: ItemCategory,
    reports: list[StatusReport],
    day: dt.date,
    buyer: str,
    seller: str,
) -> Coverage:
    in_force = [r for r in reports if r.in_force]
    if in_force:
        ends = [r.until for r in in_force]
        until = (
            None
            if any(e is None for e in ends)
            else max((e for e in ends if e is not None), key=lambda w: w.latest)
        )
        message = "; ".join(
            f"{r.agreement_id} in force on {day} ({r.explanation})" for r in in_force
        )
        return Coverage(
            category=needs.name,
            status=CoverageStatus.COVERED,
            agreements=tuple(r.agreement_id for r in in_force),
            until=until,
            reasons=(
                RuleResult(RULE, Outcome.PASSED, message, tuple(r.agreement_id for r in in_force)),
            ),
        )
    need = f"{needs.name} needs an agreement providing {needs.capability} ({needs.basis})"
    if not reports:
        message = f"no agreement between {buyer} and {seller} provides {needs.capability}; {need}"
        return Coverage(
            category=needs.name,
            status=CoverageStatus.NOT_COVERED,
            agreements=(),
            until=None,
            reasons=(RuleResult(RULE, Outcome.FAILED, message),),
        )
    uncertain = [r for r in reports if r.status is Status.UNCERTAIN]
    reasons = tuple(
        RuleResult(
            RULE,
            Outcome.FAILED,
            f"{r.agreement_id} on {day}: {r.status.value} ({r.explanation})"
            + ("; uncertain is never in force" if r.status is Status.UNCERTAIN else ""),
            (r.agreement_id,),
        )
        for r in reports
    )
    return Coverage(
        category=needs.name,
        status=CoverageStatus.UNKNOWN if uncertain else CoverageStatus.NOT_COVERED,
        agreements=(),
        until=None,
        reasons=(*reasons, RuleResult(RULE, Outcome.FAILED, need)),
    )


def coverage_in_window(
    register: Register,
    categories: Categories,
    *,
    buyer: str,
    seller: str,
    category: str,
    window: FuzzyDate,
) -> Coverage:
    """Coverage on every day of ``window`` (at most ``MAX_WINDOW_DAYS``): the same answer on
    each, or unknown, naming the first day it changed."""
    if (window.latest - window.earliest).days > MAX_WINDOW_DAYS:
        return Coverage(
            category=category,
            status=CoverageStatus.UNKNOWN,
            agreements=(),
            until=None,
            reasons=(
                RuleResult(RULE, Outcome.FAILED, f"the date {window} is too vague to decide"),
            ),
        )
    first = coverage(
        register, categories, buyer=buyer, seller=seller, category=category, day=window.earliest
    )
    day = window.earliest
    while day < window.latest:
        day += dt.timedelta(days=1)
        other = coverage(
            register, categories, buyer=buyer, seller=seller, category=category, day=day
        )
        if other.status is first.status and other.agreements == first.agreements:
            continue
        note = RuleResult(
            RULE,
            Outcome.FAILED,
            f"the date {window} spans a change: {first.status.value} on {window.earliest}, "
            f"{other.status.value} on {day}",
        )
        return Coverage(
            category=first.category,
            status=CoverageStatus.UNKNOWN,
            agreements=(),
            until=None,
            reasons=(note, *first.reasons, *other.reasons),
        )
    return first


@dataclass(frozen=True, slots=True, kw_only=True)
class EventCoverage:
    event: CaseEvent
    items: tuple[Coverage, ...]
    #: Designation and measure rules (``transfers.conditions``); a failed one blocks the case.
    conditions: tuple[RuleResult, ...] = ()

    @property
    def status(self) -> CoverageStatus:
        blocked = any(c.outcome is Outcome.FAILED for c in self.conditions)
        return combined(
            [*(c.status for c in self.items), *([CoverageStatus.NOT_COVERED] if blocked else [])]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event.kind.value,
            "date": str(self.event.date),
            "grade": self.event.grade.value,
            "status": self.status.value,
            "covered": self.status is CoverageStatus.COVERED,
            "items": [c.to_dict() for c in self.items],
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseCoverage:
    case: TransferCase
    events: tuple[EventCoverage, ...]

    @property
    def status(self) -> CoverageStatus:
        return combined(e.status for e in self.events)

    @property
    def agreements(self) -> tuple[str, ...]:
        return tuple(sorted({a for e in self.events for c in e.items for a in c.agreements}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.id,
            "buyer": self.case.buyer,
            "seller": self.case.seller,
            "status": self.status.value,
            "covered": self.status is CoverageStatus.COVERED,
            "agreements": list(self.agreements),
            "covered_at": [
                e.event.kind.value for e in self.events if e.status is CoverageStatus.COVERED
            ],
            "events": [e.to_dict() for e in self.events],
        }


def combined(statuses: Any) -> CoverageStatus:
    """Covered only if every part is; otherwise not covered if any part is not; else unknown."""
    seen = set(statuses)
    if not seen or seen == {CoverageStatus.COVERED}:
        return CoverageStatus.COVERED
    if CoverageStatus.NOT_COVERED in seen:
        return CoverageStatus.NOT_COVERED
    return CoverageStatus.UNKNOWN


def _conditions(register: Register, case: TransferCase, event: CaseEvent) -> tuple[RuleResult, ...]:
    """The designation and measure rules, on every day of the event's date (a rule that applies
    on any of them applies)."""
    found: dict[tuple[str, str], RuleResult] = {}
    span = min((event.date.latest - event.date.earliest).days, MAX_WINDOW_DAYS)
    for offset in range(span + 1):
        for rule in conditions(register, case, event.date.earliest + dt.timedelta(days=offset)):
            found.setdefault((rule.rule, rule.outcome.value), rule)
    return tuple(found.values())


def check_case(register: Register, categories: Categories, case: TransferCase) -> CaseCoverage:
    """Each item category of the case, at each of its dated events."""
    return CaseCoverage(
        case=case,
        events=tuple(
            EventCoverage(
                event=event,
                items=tuple(
                    coverage_in_window(
                        register,
                        categories,
                        buyer=case.buyer,
                        seller=case.seller,
                        category=category,
                        window=event.date,
                    )
                    for category in case.categories
                ),
                conditions=_conditions(register, case, event),
            )
            for event in case.events
        ),
    )
