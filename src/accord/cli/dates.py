"""The one date syntax of the CLI (docs/cli.md, "Dates"), and the options that take it.

A DATE is a day ``YYYY-MM-DD``, a month ``YYYY-MM``, a year ``YYYY``, or a window ``A/B`` of two
of those (``accord.agreements.dates.FuzzyDate``). ``--on`` asks about one day, so it takes a day;
``--from``/``--to`` bound a range: it runs from the first day of ``--from`` to the last day of
``--to`` (``--from 2020 --to 2020`` is the whole of 2020), and to today without ``--to``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from accord.agreements.dates import FuzzyDate
from accord.cli import context
from accord.errors import InvalidInput

SYNTAX = "a day YYYY-MM-DD, a month YYYY-MM, a year YYYY, or a window A/B"

OnOption = Annotated[
    str | None,
    typer.Option("--on", metavar="DAY", help="The day, YYYY-MM-DD (default: today)."),
]
FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="DATE",
        help="Start of a range, from the first day of DATE (a day, month, year or window A/B).",
    ),
]
ToOption = Annotated[
    str | None,
    typer.Option(
        "--to",
        metavar="DATE",
        help="End of a range, to the last day of DATE (default with --from: today).",
    ),
]


def _window(text: str, option: str) -> FuzzyDate:
    try:
        return FuzzyDate.parse(text)
    except InvalidInput as e:
        raise e.at(field_prefix=option) from None


def day_of(on: str | None, option: str = "--on") -> dt.date:
    """The day ``--on`` names (today without one). A month, a year or a window is refused with
    the range that asks about it."""
    if on is None:
        return context.clock.today()
    window = _window(on, option)
    if not window.exact or "/" in on:
        raise InvalidInput(
            f"{option} takes a single day YYYY-MM-DD; for '{on}' as a period give "
            f"--from {on.partition('/')[0]} --to {on.partition('/')[2] or on}"
        )
    return window.earliest


def range_of(start: str | None, end: str | None) -> tuple[dt.date, dt.date] | None:
    """The range ``--from``/``--to`` bound (None when neither is given)."""
    if start is None and end is None:
        return None
    if start is None:
        raise InvalidInput("--to needs --from: the range's first day")
    first = _window(start, "--from").earliest
    last = _window(end, "--to").latest if end is not None else context.clock.today()
    if last < first:
        ends = "--to" if end is not None else "today (no --to)"
        raise InvalidInput(f"the range ends ({last}, {ends}) before it starts ({first}, --from)")
    return first, last


def day_or_range(
    on: str | None, start: str | None, end: str | None
) -> tuple[dt.date, tuple[dt.date, dt.date] | None]:
    """``--on`` or ``--from``/``--to``, not both: the day asked about (today without either) and
    the range (None for a single day)."""
    span = range_of(start, end)
    if span is not None and on is not None:
        raise InvalidInput("give --on DAY or a range --from/--to, not both")
    return (span[1] if span else day_of(on)), span
