"""The register over a range: statuses and capabilities by period agree with asking every day."""

import datetime as dt
import itertools

import pytest

from accord.agreements.periods import (
    capability_periods,
    dated_events,
    status_changes,
    status_periods,
)
from accord.agreements.public_record import public_record
from accord.agreements.register import Register
from accord.agreements.vocabulary import Status

from .helpers import agreement, event

DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def record() -> Register:
    return public_record()


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + DAY * n for n in range((end - start).days + 1)]


def test_status_periods_agree_with_every_day(record: Register) -> None:
    """Each period covers its days exactly, the periods tile the range, and on every day the
    period's status is the status asked for that day alone."""
    start, end = dt.date(2004, 1, 1), dt.date(2025, 12, 31)
    for found in record.select(nations=["USA", "PAK"]):
        timeline = record.timeline(found.id)
        periods = status_periods(timeline, start, end)
        assert periods[0].start == start
        assert periods[-1].end == end
        for before, after in itertools.pairwise(periods):
            assert after.start == before.end + DAY
        for period in periods:
            for day in _days(period.start, period.end):
                assert timeline.status_on(day).status is period.report.status, (found.id, day)


def test_the_cismoa_lapse_and_renewal_as_periods(record: Register) -> None:
    periods = status_periods(
        record.timeline("pak-usa-cismoa"), dt.date(2019, 1, 1), dt.date(2024, 12, 31)
    )
    assert [p.report.status for p in periods] == [
        Status.IN_FORCE,
        Status.UNCERTAIN,  # expired some day of 2020-10
        Status.LAPSED,
        Status.UNCERTAIN,  # renewed some day of 2023-08
        Status.IN_FORCE,
    ]
    assert (periods[2].start, periods[2].end) == (dt.date(2020, 10, 31), dt.date(2023, 7, 31))


def test_a_one_day_range_is_the_day(record: Register) -> None:
    day = dt.date(2021, 6, 1)
    (period,) = status_periods(record.timeline("pak-usa-cismoa"), day, day)
    assert (period.start, period.end, period.report.status) == (day, day, Status.LAPSED)


def test_capability_periods_agree_with_every_day(record: Register) -> None:
    start, end = dt.date(2000, 1, 1), dt.date(2026, 12, 31)
    periods = capability_periods(record, "USA", "PAK", start, end)
    secure = [(p.start, p.end) for p in periods if p.capability == "secure-communications"]
    assert secure == [
        (dt.date(2005, 10, 31), dt.date(2020, 9, 30)),
        (dt.date(2023, 8, 31), dt.date(2026, 12, 31)),
    ]
    for day in _days(start, end)[::7]:
        open_on_day = {o.capability for o in record.open_capabilities("USA", "PAK", day)}
        in_periods = {p.capability for p in periods if p.start <= day <= p.end}
        assert open_on_day == in_periods, day


def test_changes_and_events_in_a_year(record: Register) -> None:
    agreements = record.select(nations=["USA", "PAK"])
    changes = status_changes(record, agreements, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert [(c.agreement.id, c.transition.status) for c in changes] == [
        ("pak-usa-cismoa", Status.LAPSED)
    ]
    events = dated_events(agreements, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert [(e.agreement.id, e.event.kind.value) for e in events] == [("pak-usa-cismoa", "expired")]
    assert events[0].event.sources  # every event is sourced


def test_a_day_precise_history_cuts_at_its_days() -> None:
    """Day-precise events: no uncertain period, the cuts fall on the events' days."""
    history = agreement(
        event("signed", "2010-03-15", "5y"),
        event("suspended", "2012-01-10"),
        event("resumed", "2012-06-01"),
    )
    register = Register(agreements=(history,))
    periods = status_periods(
        register.timeline(history.id), dt.date(2010, 1, 1), dt.date(2016, 12, 31)
    )
    assert [(p.start, p.report.status) for p in periods] == [
        (dt.date(2010, 1, 1), Status.NOT_YET_IN_FORCE),
        (dt.date(2010, 3, 15), Status.IN_FORCE),
        (dt.date(2012, 1, 10), Status.SUSPENDED),
        (dt.date(2012, 6, 1), Status.IN_FORCE),
        (dt.date(2015, 3, 15), Status.LAPSED),
    ]
