"""``accord agreements timeline``: one row per agreement, one bar per term, lapses visible."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.console import Group
from rich.text import Text

from accord.agreements.model import Agreement
from accord.agreements.register import Register
from accord.agreements.vocabulary import Status

_STYLE: dict[Status, tuple[str, str]] = {
    Status.IN_FORCE: ("█", "green"),
    Status.SUSPENDED: ("▓", "yellow"),
    Status.UNCERTAIN: ("▒", "bright_black"),
    Status.LAPSED: ("─", "red"),
    Status.TERMINATED: ("x", "red"),
    Status.NOT_YET_IN_FORCE: (" ", ""),
}
_LABEL = 24


@dataclass(frozen=True, slots=True)
class MarkRow:
    """A row of marks under the bars: the transfer cases of a buyer, each at its first event,
    coloured by whether the agreements it needs were in force then."""

    label: str
    marks: tuple[tuple[dt.date, str], ...]  # (day, style)


#: Marks' styles by coverage status (docs/transfers.md).
MARK_STYLE = {"covered": "green", "not-covered": "red", "unknown": "yellow"}


def render_timeline(
    register: Register,
    agreements: tuple[Agreement, ...],
    today: dt.date,
    width: int,
    marks: tuple[MarkRow, ...] = (),
    *,
    span: tuple[dt.date, dt.date],
) -> Group:
    """The chart of ``span`` (first and last day charted) in ``width`` columns."""
    start, end = span[0], span[1] + dt.timedelta(days=1)
    columns = max(20, width - _LABEL - 1)
    span_days = (end - start).days / columns

    def day_at(column: int) -> dt.date:
        return start + dt.timedelta(days=int((column + 0.5) * span_days))

    lines: list[Text] = []
    today_column = int((today - start).days / span_days)
    charts_today = 0 <= today_column < columns
    if charts_today:
        lines.append(Text(" " * (_LABEL + 1 + today_column) + "▼"))
    for agreement in agreements:
        timeline = register.timeline(agreement.id)
        row = Text(f"{agreement.id[: _LABEL - 1]:<{_LABEL}} ")
        for column in range(columns):
            status = timeline.status_on(day_at(column)).status
            char, style = _STYLE[status]
            row.append(char, style=style)
        lines.append(row)
    for mark_row in marks:
        cells = [(" ", "")] * columns
        for day, style in mark_row.marks:
            column = int((day - start).days / span_days)
            if 0 <= column < columns:
                cells[column] = ("◆", style)
        row = Text(f"{mark_row.label[: _LABEL - 1]:<{_LABEL}} ")
        for char, style in cells:
            row.append(char, style=style)
        lines.append(row)
    lines.append(_axis(start, columns, span_days))
    keys = [
        (_STYLE[status][0] * 2, _STYLE[status][1], status.value)
        for status in (
            Status.IN_FORCE,
            Status.UNCERTAIN,
            Status.SUSPENDED,
            Status.LAPSED,
            Status.TERMINATED,
        )
    ]
    if charts_today:
        keys.append(("▼", "", f"today ({today})"))
    lines.extend(_legend("", keys, width))
    if marks:
        lines.extend(
            _legend(
                "◆ transfer case, at its first event:",
                [("◆", colour, answer) for answer, colour in MARK_STYLE.items()],
                width,
            )
        )
    return Group(*lines)


def _legend(title: str, keys: list[tuple[str, str, str]], width: int) -> list[Text]:
    """A legend's keys, as many lines as ``width`` needs (never cutting a key)."""
    lines: list[Text] = []
    line = Text("  " + (f"{title} " if title else ""))
    for symbol, style, meaning in keys:
        item_width = len(symbol) + 1 + len(meaning) + 3
        if line.plain.strip() and len(line) + item_width > width:
            lines.append(line)
            line = Text("  ")
        line.append(symbol, style=style)
        line.append(f" {meaning}   ")
    lines.append(line)
    return lines


def _axis(start: dt.date, columns: int, span: float) -> Text:
    axis = [" "] * columns
    labels = [" "] * (columns + 5)
    step = 5 if columns / ((columns * span) / 365.25) < 8 else 1
    year = start.year
    while True:
        column = int((dt.date(year, 1, 1) - start).days / span)
        if column >= columns:
            break
        if year % step == 0:
            axis[column] = "┬"
            for offset, char in enumerate(str(year)):
                if column + offset < len(labels):
                    labels[column + offset] = char
        year += 1
    pad = " " * (_LABEL + 1)
    return Text(pad + "".join(axis) + "\n" + pad + "".join(labels).rstrip())
