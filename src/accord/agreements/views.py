"""Plain-data views of register objects: the JSON the CLI (`--json`) and the API answer with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.agreements.dates import FuzzyDate
from accord.agreements.lifecycle import StatusReport, Term
from accord.agreements.model import Agreement, Event, Source, UnknownAgreement
from accord.agreements.periods import CapabilityPeriod, DatedEvent, StatusChange, StatusPeriod
from accord.agreements.record import agreement_to_dict, event_to_dict
from accord.agreements.register import CapabilityOpening, Expiry, Register


def _date(window: FuzzyDate | None) -> str | None:
    return str(window) if window is not None else None


def term_view(term: Term | None) -> dict[str, Any] | None:
    if term is None:
        return None
    return {
        "index": term.index,
        "term": str(term.spec),
        "start": str(term.start),
        "end": _date(term.end),
        "end_reason": term.end_reason or None,
    }


def status_view(register: Register, report: StatusReport) -> dict[str, Any]:
    agreement = register.get(report.agreement_id)
    return {
        "id": agreement.id,
        "type": agreement.type,
        "parties": list(agreement.parties),
        "title": agreement.title,
        "on": report.day.isoformat(),
        "status": report.status.value,
        "in_force": report.in_force,
        "since": _date(report.since),
        "until": _date(report.until),
        "term": term_view(report.term),
        "candidates": [c.value for c in report.candidates],
        "uncertain_window": _date(report.window),
        "explanation": report.explanation,
        "events": [event_to_dict(e) for e in report.events],
        "evidence": report.evidence.value if report.evidence else None,
    }


def unknown_view(register: Register, unknown: UnknownAgreement, day: dt.date) -> dict[str, Any]:
    """What the register does not know, in the shape of a status (``unknown``, never in force)."""
    pair = " and ".join(unknown.parties)
    return {
        "id": f"unknown:{'-'.join(p.lower() for p in unknown.parties)}-{unknown.type.lower()}",
        "type": unknown.type,
        "parties": list(unknown.parties),
        "title": "",
        "on": day.isoformat(),
        "status": "unknown",
        "in_force": False,
        "since": None,
        "until": None,
        "term": None,
        "candidates": [],
        "uncertain_window": None,
        "explanation": (
            f"whether a {unknown.type} exists between {pair} is unknown: {unknown.reason}"
        ),
        "events": [],
        "evidence": unknown.grade.value,
        "sources": list(unknown.sources),
    }


def agreement_view(
    register: Register, agreement: Agreement, report: StatusReport
) -> dict[str, Any]:
    view = agreement_to_dict(agreement)
    view["capabilities"] = sorted(register.capabilities_of(agreement))
    view["type_name"] = register.type_of(agreement).name
    view["terms"] = [term_view(t) for t in register.timeline(agreement.id).terms]
    view["status"] = status_view(register, report)
    cited = {s for e in agreement.events for s in e.sources}
    view["sources"] = [
        {
            k: v
            for k, v in (
                ("id", s.id),
                ("title", s.title),
                ("publisher", s.publisher),
                ("url", s.url),
                ("date", _date(s.date)),
            )
            if v
        }
        for s in register.sources
        if s.id in cited
    ]
    return view


def opening_view(opening: CapabilityOpening) -> dict[str, Any]:
    return {
        "capability": opening.capability,
        "agreements": list(opening.agreements),
        "until": _date(opening.until),
    }


def expiry_view(register: Register, expiry: Expiry) -> dict[str, Any]:
    view = status_view(register, expiry.report)
    view["days_left"] = expiry.days_left
    return view


def period_view(register: Register, period: StatusPeriod) -> dict[str, Any]:
    """A status over a period: ``from`` and ``to`` (both included), then the status's view (its
    ``on`` is the period's first day)."""
    return {"from": period.start.isoformat(), "to": period.end.isoformat()} | status_view(
        register, period.report
    )


def periods_view(
    register: Register, agreement: Agreement, periods: tuple[StatusPeriod, ...]
) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "type": agreement.type,
        "parties": list(agreement.parties),
        "title": agreement.title,
        "periods": [period_view(register, p) for p in periods],
    }


def capability_period_view(period: CapabilityPeriod) -> dict[str, Any]:
    return {
        "capability": period.capability,
        "agreements": list(period.agreements),
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "until": _date(period.until),
    }


def source_view(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher or None,
        "url": source.url,
        "date": _date(source.date),
    }


def _sourced(register: Register, event: Event) -> dict[str, Any]:
    sources = {s.id: s for s in register.sources}
    view = event_to_dict(event)
    view["sources"] = [source_view(sources[i]) for i in event.sources if i in sources]
    return view


def change_view(register: Register, change: StatusChange) -> dict[str, Any]:
    transition = change.transition
    return {
        "agreement": change.agreement.id,
        "type": change.agreement.type,
        "parties": list(change.agreement.parties),
        "date": str(transition.window),
        "status": transition.status.value,
        "reason": transition.reason,
        "events": [_sourced(register, e) for e in transition.events],
    }


def dated_event_view(register: Register, dated: DatedEvent) -> dict[str, Any]:
    return {
        "agreement": dated.agreement.id,
        "type": dated.agreement.type,
        "parties": list(dated.agreement.parties),
    } | _sourced(register, dated.event)
