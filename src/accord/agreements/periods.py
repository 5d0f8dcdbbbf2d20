"""The register over a range of days: statuses by period, capabilities by period, and the changes
and events inside the range.

A status can only change on a day that bounds a transition's window: a segment possibly holds a
day from its start window's earliest day up to (not including) its end window's latest day, and
certainly holds it from the start window's latest day up to its end window's earliest day
(``lifecycle.Segment``). Between two consecutive such days every answer is the same, so a range is
cut at those days only and each piece is asked once, however long the range.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from accord.agreements.dates import FuzzyDate
from accord.agreements.lifecycle import StatusReport, Timeline, Transition
from accord.agreements.model import Agreement, Event
from accord.agreements.register import CapabilityOpening, Register
from accord.agreements.vocabulary import Activity

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusPeriod:
    """From ``start`` to ``end`` (both included) the agreement's status is ``report``'s."""

    start: dt.date
    end: dt.date
    report: StatusReport


@dataclass(frozen=True, slots=True, kw_only=True)
class CapabilityPeriod:
    """From ``start`` to ``end`` (both included) ``capability`` is open through ``agreements``;
    ``until`` is when, as of ``end``, the record says the opening ends (None: no end recorded)."""

    capability: str
    start: dt.date
    end: dt.date
    agreements: tuple[str, ...]
    until: FuzzyDate | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """A status change of ``agreement`` on some day of ``transition.window``."""

    agreement: Agreement
    transition: Transition


@dataclass(frozen=True, slots=True, kw_only=True)
class DatedEvent:
    agreement: Agreement
    event: Event


def _boundaries(timeline: Timeline) -> set[dt.date]:
    days = set()
    for segment in timeline.segments:
        for transition in (segment.start, segment.end):
            if transition is not None:
                days.add(transition.window.earliest)
                days.add(transition.window.latest)
    return days


def _pieces(boundaries: Iterable[dt.date], start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each piece of ``start .. end`` on which nothing changes."""
    return sorted({start} | {day for day in boundaries if start < day <= end})


def _same(first: StatusReport, second: StatusReport) -> bool:
    return (first.status, first.since, first.until, first.candidates, first.window) == (
        second.status,
        second.since,
        second.until,
        second.candidates,
        second.window,
    )


def status_periods(timeline: Timeline, start: dt.date, end: dt.date) -> tuple[StatusPeriod, ...]:
    """The agreement's statuses over ``start .. end``, one period per distinct status (adjacent
    days with the same status, term and bounds make one period)."""
    pieces = _pieces(_boundaries(timeline), start, end)
    periods: list[StatusPeriod] = []
    for position, first in enumerate(pieces):
        last = pieces[position + 1] - _DAY if position + 1 < len(pieces) else end
        report = timeline.status_on(first)
        if periods and _same(periods[-1].report, report):
            periods[-1] = StatusPeriod(start=periods[-1].start, end=last, report=periods[-1].report)
        else:
            periods.append(StatusPeriod(start=first, end=last, report=report))
    return tuple(periods)


def capability_periods(
    register: Register,
    first: str,
    second: str,
    start: dt.date,
    end: dt.date,
    activity: Activity | None = None,
) -> tuple[CapabilityPeriod, ...]:
    """Every capability open between two nations at some time in ``start .. end``, each with the
    periods it was open and the agreements it was open through (by capability, then time)."""
    boundaries: set[dt.date] = set()
    for agreement in register.select(nations=[first, second]):
        boundaries |= _boundaries(register.timeline(agreement.id))
    pieces = _pieces(boundaries, start, end)
    open_now: dict[str, CapabilityPeriod] = {}
    closed: list[CapabilityPeriod] = []
    for position, day in enumerate(pieces):
        last = pieces[position + 1] - _DAY if position + 1 < len(pieces) else end
        openings: dict[str, CapabilityOpening] = {
            o.capability: o for o in register.open_capabilities(first, second, day, activity)
        }
        for capability in list(open_now):
            current = open_now[capability]
            opening = openings.get(capability)
            if opening is None or opening.agreements != current.agreements:
                closed.append(open_now.pop(capability))
        for capability, opening in openings.items():
            ongoing = open_now.get(capability)
            open_now[capability] = CapabilityPeriod(
                capability=capability,
                start=ongoing.start if ongoing else day,
                end=last,
                agreements=opening.agreements,
                until=opening.until,
            )
    closed.extend(open_now.values())
    return tuple(sorted(closed, key=lambda p: (p.capability, p.start)))


def status_changes(
    register: Register, agreements: Iterable[Agreement], start: dt.date, end: dt.date
) -> tuple[StatusChange, ...]:
    """The status changes whose window meets ``start .. end``, in order of their window."""
    span = FuzzyDate(start, end)
    found = [
        StatusChange(agreement=agreement, transition=segment.start)
        for agreement in agreements
        for segment in register.timeline(agreement.id).segments
        if segment.start is not None and segment.start.window.overlaps(span)
    ]
    return tuple(
        sorted(found, key=lambda c: (c.transition.window, c.agreement.id, c.transition.status))
    )


def dated_events(
    agreements: Iterable[Agreement], start: dt.date, end: dt.date
) -> tuple[DatedEvent, ...]:
    """The events whose date meets ``start .. end``, in order of their date."""
    span = FuzzyDate(start, end)
    found = [
        DatedEvent(agreement=agreement, event=event)
        for agreement in agreements
        for event in agreement.ordered_events
        if event.date.overlaps(span)
    ]
    return tuple(sorted(found, key=lambda e: (e.event.sort_key, e.agreement.id)))


def charted_span(agreements: Iterable[Agreement], today: dt.date) -> tuple[dt.date, dt.date]:
    """A timeline's default range: from January of the first event's year to the end of the
    year two years after ``today`` (so terms running on are seen running on)."""
    first_year = min(
        (e.date.earliest.year for a in agreements for e in a.events), default=today.year
    )
    return dt.date(first_year, 1, 1), dt.date(today.year + 2, 12, 31)
