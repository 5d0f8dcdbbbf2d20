"""Time, passed in rather than read: no code outside this module calls ``datetime.now()``.

The pure core takes dates as arguments; the edges (CLI, API, workers) take a :class:`Clock`, so a
test can fix or advance time and a decision can be replayed on the day it was made.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def today(self) -> dt.date:
        """The current date in UTC: agreements are dated by calendar day."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock that says what it is told; ``advance`` moves it forward."""

    def __init__(self, instant: dt.datetime | dt.date) -> None:
        self._now = _as_utc(instant)

    def now(self) -> dt.datetime:
        return self._now

    def today(self) -> dt.date:
        return self._now.date()

    def advance(self, delta: dt.timedelta) -> None:
        if delta < dt.timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta


def _as_utc(instant: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(instant, dt.datetime):
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        return instant.astimezone(dt.UTC)
    return dt.datetime(instant.year, instant.month, instant.day, tzinfo=dt.UTC)
