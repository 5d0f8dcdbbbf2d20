"""Property tests of ``status_on`` against an independent model: random but possible histories at
day precision, where nothing is uncertain.

Invariants: nothing is in force before the signing; the days in force are exactly the days
inside a term and outside a suspension."""

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agreements.dates import Duration, FuzzyDate
from accord.agreements.lifecycle import build_timeline
from accord.agreements.vocabulary import Status
from accord.errors import InvalidInput

from .helpers import agreement, event

Interval = tuple[dt.date, dt.date | None]  # [start, end)


def inside(day: dt.date, intervals: list[Interval]) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in intervals)


@st.composite
def histories(draw):
    day = dt.date(2000, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3000)))
    signed = day
    years = draw(st.one_of(st.none(), st.integers(1, 15)))
    events = [event("signed", day.isoformat(), f"{years}y" if years else None)]
    terms: list[Interval] = []
    suspensions: list[Interval] = []
    term_start, term_end = day, (Duration(years=years).add_to(day) if years else None)
    term_years = years
    suspended_since: dt.date | None = None
    open_term = True
    for _ in range(draw(st.integers(0, 8))):
        day += dt.timedelta(days=draw(st.integers(1, 2500)))
        if open_term and term_end is not None and term_end <= day:
            terms.append((term_start, term_end))
            if suspended_since is not None:
                suspensions.append((suspended_since, term_end))
                suspended_since = None
            open_term = False
        if open_term:
            choices = ["terminate"]
            choices += ["resume"] if suspended_since else ["suspend", "renew"]
            if term_end is None and suspended_since is None:
                choices.append("expire")
        else:
            choices = ["renew", "terminate"]
        action = draw(st.sampled_from(choices))
        iso = day.isoformat()
        if action == "suspend":
            events.append(event("suspended", iso))
            suspended_since = day
        elif action == "resume":
            events.append(event("resumed", iso))
            assert suspended_since is not None
            suspensions.append((suspended_since, day))
            suspended_since = None
        elif action == "expire":
            events.append(event("expired", iso))
            terms.append((term_start, day))
            open_term = False
        elif action == "renew":
            new_years = draw(st.one_of(st.none(), st.integers(1, 15)))
            events.append(event("renewed", iso, f"{new_years}y" if new_years else None))
            if open_term:
                terms.append((term_start, day))
            term_years = new_years or term_years
            term_start = day
            term_end = Duration(years=term_years).add_to(day) if term_years else None
            open_term = True
        else:  # terminate
            events.append(event("terminated", iso))
            if open_term:
                terms.append((term_start, day))
                if suspended_since is not None:
                    suspensions.append((suspended_since, day))
            return events, signed, terms, suspensions, day
    if open_term:
        terms.append((term_start, term_end))
        if suspended_since is not None:
            suspensions.append((suspended_since, term_end))
    return events, signed, terms, suspensions, None


def probe_days(events, signed: dt.date):
    days = {signed - dt.timedelta(days=1)}
    for e in events:
        for delta in (-1, 0, 1):
            days.add(e.date.earliest + dt.timedelta(days=delta))
    last = max(e.date.earliest for e in events)
    step = dt.timedelta(days=97)
    day = signed - dt.timedelta(days=400)
    while day < last + dt.timedelta(days=6000):
        days.add(day)
        day += step
    return sorted(days)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_in_force_days_are_terms_minus_suspensions(history):
    events, signed, terms, suspensions, terminated = history
    timeline = build_timeline(agreement(*events))
    for day in probe_days(events, signed):
        report = timeline.status_on(day)
        expected = inside(day, terms) and not inside(day, suspensions)
        assert report.in_force is expected, (day, report.explanation)
        assert report.status is not Status.UNCERTAIN  # day precision leaves nothing open
        if day < signed:
            assert report.status is Status.NOT_YET_IN_FORCE
        if terminated is not None and day >= terminated:
            assert report.status is Status.TERMINATED
        if inside(day, suspensions):
            assert report.status is Status.SUSPENDED


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(0, 40))
def test_coarser_dates_never_make_anything_more_in_force(history, widen):
    """Blurring a date into a window can only turn answers into 'uncertain', never invent a day
    in force."""
    events, signed, *_ = history
    precise = build_timeline(agreement(*events))
    first = events[0]
    blurred_signing = replace(
        first, date=FuzzyDate(first.date.earliest - dt.timedelta(days=widen), first.date.latest)
    )
    try:
        blurred = build_timeline(agreement(blurred_signing, *events[1:]))
    except InvalidInput:  # a blur may make the history impossible; that is not this property
        return
    for day in probe_days(events, signed):
        fuzzy = blurred.status_on(day)
        exact = precise.status_on(day)
        if fuzzy.in_force:
            assert exact.in_force, (day, fuzzy.explanation, exact.explanation)
