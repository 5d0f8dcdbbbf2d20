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
) -> Group:
    first_year = min(
        (e.date.earliest.year for a in agreements for e in a.events), default=today.year
    )
    start = dt.date(first_year, 1, 1)
    end = dt.date(today.year + 3, 1, 1)
    columns = max(20, width - _LABEL - 1)
    span = (end - start).days / columns

    def day_at(column: int) -> dt.date:
        return start + dt.timedelta(days=int((column + 0.5) * span))

    lines: list[Text] = []
    today_column = int((today - start).days / span)
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
            column = int((day - start).days / span)
            if 0 <= column < columns:
                cells[column] = ("◆", style)
        row = Text(f"{mark_row.label[: _LABEL - 1]:<{_LABEL}} ")
        for char, style in cells:
            row.append(char, style=style)
        lines.append(row)
    lines.append(_axis(start, columns, span))
    legend = Text("  ")
    for status in (
        Status.IN_FORCE,
        Status.UNCERTAIN,
        Status.SUSPENDED,
        Status.LAPSED,
        Status.TERMINATED,
    ):
        char, style = _STYLE[status]
        legend.append(char * 2, style=style)
        legend.append(f" {status.value}   ")
    legend.append(f"▼ today ({today})")
    lines.append(legend)
    if marks:
        cases = Text("  ◆ transfer case, at its first event: ")
        for answer, colour in MARK_STYLE.items():
            cases.append("◆", style=colour)
            cases.append(f" {answer}  ")
        lines.append(cases)
    return Group(*lines)


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
