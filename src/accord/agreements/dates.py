"""Dates at the precision their sources give, and calendar durations.

A source that says a CISMOA was signed in "2005-10" tells us a month, not a day. A
:class:`FuzzyDate` keeps exactly that: the closed window of days on which the event may have
happened (``2005-10`` is 2005-10-01 .. 2005-10-31). Two sources that disagree by a day
(``2020-10-26/2020-10-27``) give a window too. Lifecycle logic reasons about windows and says
``uncertain`` rather than guessing a day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from accord.errors import InvalidInput

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DURATION = re.compile(r"^(?:(\d{1,3})y)?(?:(\d{1,4})m)?(?:(\d{1,4})w)?(?:(\d{1,5})d)?$")
_MIN_YEAR = 1800
_MAX_YEAR = 2999


@dataclass(frozen=True, slots=True, order=True)
class FuzzyDate:
    """The closed window ``earliest .. latest`` of days on which something happened."""

    earliest: dt.date
    latest: dt.date

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise InvalidInput(f"window {self.earliest}/{self.latest} ends before it starts")

    @classmethod
    def day(cls, day: dt.date) -> FuzzyDate:
        return cls(day, day)

    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, or a window ``A/B`` of two such dates
        (the first day of A to the last day of B)."""
        text = text.strip()
        if "/" in text:
            first, _, last = text.partition("/")
            start, end = cls.parse(first), cls.parse(last)
            if end.latest < start.earliest:
                raise InvalidInput(f"window '{text}' ends before it starts")
            return cls(start.earliest, end.latest)
        if m := _DAY.match(text):
            year, month, day = (int(g) for g in m.groups())
            _check_year(year, text)
            _check_month(month, text)
            last_day = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last_day:
                raise InvalidInput(f"invalid date '{text}': day must be in 1..{last_day}")
            return cls.day(dt.date(year, month, day))
        if m := _MONTH.match(text):
            year, month = (int(g) for g in m.groups())
            _check_year(year, text)
            _check_month(month, text)
            return cls(dt.date(year, month, 1), _end_of_month(year, month))
        if m := _YEAR.match(text):
            year = int(m.group(1))
            _check_year(year, text)
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))
        raise InvalidInput(
            f"invalid date '{text}': expected YYYY, YYYY-MM, YYYY-MM-DD or a window A/B"
        )

    @property
    def precision(self) -> str:
        """``day``, ``month``, ``year`` or ``window``."""
        if self.earliest == self.latest:
            return "day"
        e, last = self.earliest, self.latest
        whole_month = e.day == 1 and last == _end_of_month(e.year, e.month)
        if whole_month:
            return "month"
        whole_year = (e.month, e.day, last.month, last.day) == (1, 1, 12, 31)
        if whole_year and e.year == last.year:
            return "year"
        return "window"

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest

    def overlaps(self, other: FuzzyDate) -> bool:
        return self.earliest <= other.latest and other.earliest <= self.latest

    def intersection(self, other: FuzzyDate) -> FuzzyDate | None:
        if not self.overlaps(other):
            return None
        return FuzzyDate(max(self.earliest, other.earliest), min(self.latest, other.latest))

    def shifted(self, duration: Duration) -> FuzzyDate:
        return FuzzyDate(duration.add_to(self.earliest), duration.add_to(self.latest))

    def __str__(self) -> str:
        precision = self.precision
        if precision == "day":
            return self.earliest.isoformat()
        if precision == "month":
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        if precision == "year":
            return f"{self.earliest.year:04d}"
        return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"


@dataclass(frozen=True, slots=True)
class Duration:
    """A calendar duration: years and months move the calendar date (clamped to the end of a
    shorter month), then days are added."""

    years: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if min(self.years, self.months, self.days) < 0:
            raise InvalidInput("a duration cannot be negative")
        if self.years == self.months == self.days == 0:
            raise InvalidInput("a duration must be longer than zero")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """``15y``, ``18m``, ``90d``, ``2w``, or combinations in that order (``1y6m``)."""
        compact = text.strip().lower().replace(" ", "")
        m = _DURATION.match(compact)
        if not compact or not m:
            raise InvalidInput(
                f"invalid duration '{text}': expected a number with a unit, such as 15y, 6m, 90d"
            )
        years, months, weeks, days = (int(g) if g else 0 for g in m.groups())
        return cls(years=years, months=months, days=days + 7 * weeks)

    def add_to(self, day: dt.date) -> dt.date:
        month_index = day.month - 1 + self.months + 12 * self.years
        year, month = day.year + month_index // 12, month_index % 12 + 1
        if year > _MAX_YEAR:
            raise InvalidInput(f"{day} + {self} is beyond the year {_MAX_YEAR}")
        moved = dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
        return moved + dt.timedelta(days=self.days)

    def subtract_from(self, day: dt.date) -> dt.date:
        back = day - dt.timedelta(days=self.days)
        month_index = back.month - 1 - self.months - 12 * self.years
        year, month = back.year + month_index // 12, month_index % 12 + 1
        return dt.date(year, month, min(back.day, calendar.monthrange(year, month)[1]))

    def describe(self) -> str:
        """Words for explanations: ``15-year``, ``90-day``."""
        parts = [(self.years, "year"), (self.months, "month"), (self.days, "day")]
        used = [(n, unit) for n, unit in parts if n]
        if len(used) == 1:
            n, unit = used[0]
            return f"{n}-{unit}"
        return str(self)

    def __str__(self) -> str:
        text = ""
        if self.years:
            text += f"{self.years}y"
        if self.months:
            text += f"{self.months}m"
        if self.days:
            text += f"{self.days}d"
        return text


def parse_day(text: str) -> dt.date:
    """A single calendar day (``YYYY-MM-DD``), for ``--on`` and similar inputs."""
    window = FuzzyDate.parse(text)
    if not window.exact or "/" in text:
        raise InvalidInput(f"invalid date '{text}': a single day YYYY-MM-DD is needed here")
    return window.earliest


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int, text: str) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidInput(f"invalid date '{text}': year must be in {_MIN_YEAR}..{_MAX_YEAR}")


def _check_month(month: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise InvalidInput(f"invalid date '{text}': month must be in 1..12")
