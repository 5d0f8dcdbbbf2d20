"""The register's timeline as SVG, rendered on the server: one row per agreement, one bar per
period of its status (in force green, suspended amber, uncertain grey and hatched, lapsed or
terminated a thin red line, not yet in force nothing), year ticks, and a "today" line. Every
bar has a ``<title>`` (its status, dates and explanation), so the chart reads with a screen
reader and on hover. Text is escaped; nothing in it is a script."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from accord.agreements.model import Agreement
from accord.agreements.periods import StatusPeriod
from accord.agreements.vocabulary import Status

ROW = 28
LABEL_WIDTH = 220
CHART_WIDTH = 760
TOP = 24

_FILL = {
    Status.IN_FORCE: "#2e7d32",
    Status.SUSPENDED: "#f9a825",
    Status.UNCERTAIN: "url(#uncertain)",
}
_LINE = {Status.LAPSED: "#c62828", Status.TERMINATED: "#c62828"}


def render_svg(
    rows: list[tuple[Agreement, tuple[StatusPeriod, ...]]],
    span: tuple[dt.date, dt.date],
    today: dt.date,
    title: str,
) -> str:
    """The chart of ``rows`` (each agreement with its periods over ``span``)."""
    start, end = span
    days = max(1, (end - start).days + 1)

    def x(day: dt.date) -> float:
        return LABEL_WIDTH + CHART_WIDTH * min(max((day - start).days, 0), days) / days

    height = TOP + ROW * len(rows) + 24
    width = LABEL_WIDTH + CHART_WIDTH + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="timeline" aria-labelledby="timeline-title">',
        f'<title id="timeline-title">{escape(title)}</title>',
        '<defs><pattern id="uncertain" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#bdbdbd"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#757575" stroke-width="2"/></pattern></defs>',
    ]
    for year in range(start.year, end.year + 1):
        tick = x(dt.date(year, 1, 1))
        parts.append(
            f'<line x1="{tick:.1f}" y1="{TOP - 6}" x2="{tick:.1f}" y2="{height - 20}" '
            'stroke="#e0e0e0"/>'
        )
        if (year - start.year) % max(1, (end.year - start.year + 1) // 12 or 1) == 0:
            parts.append(
                f'<text x="{tick + 2:.1f}" y="{TOP - 10}" font-size="11" fill="#333">{year}</text>'
            )
    for position, (agreement, periods) in enumerate(rows):
        y = TOP + ROW * position
        parts.append(
            f'<text x="4" y="{y + ROW / 2 + 4:.1f}" font-size="12" fill="#111">'
            f"{escape(agreement.id)} ({escape(agreement.type)})</text>"
        )
        for period in periods:
            parts.append(_bar(period, x, y))
    now = x(today)
    parts.append(
        f'<line x1="{now:.1f}" y1="{TOP - 6}" x2="{now:.1f}" y2="{height - 20}" '
        'stroke="#000" stroke-dasharray="4 3" class="today"/>'
        f'<text x="{now - 3:.1f}" y="{height - 6}" font-size="11" fill="#000" '
        f'text-anchor="end">today {today.isoformat()}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _bar(period: StatusPeriod, x: Callable[[dt.date], float], y: int) -> str:
    left, right = x(period.start), x(period.end + dt.timedelta(days=1))
    status = period.report.status
    described = escape(
        f"{status.value} from {period.start.isoformat()} to {period.end.isoformat()}: "
        f"{period.report.explanation}"
    )
    if status in _FILL:
        return (
            f'<rect x="{left:.1f}" y="{y + 6}" width="{max(right - left, 1):.1f}" '
            f'height="{ROW - 12}" fill="{_FILL[status]}" class="bar {status.value}">'
            f"<title>{described}</title></rect>"
        )
    if status in _LINE:
        return (
            f'<line x1="{left:.1f}" y1="{y + ROW / 2:.1f}" x2="{right:.1f}" '
            f'y2="{y + ROW / 2:.1f}" stroke="{_LINE[status]}" stroke-width="2" '
            f'class="bar {status.value}"><title>{described}</title></line>'
        )
    return ""
