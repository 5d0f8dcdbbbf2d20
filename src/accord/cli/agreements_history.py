"""``accord agreements changes`` and ``accord agreements timeline``: the register over time,
what changed in a range and a chart of every agreement's terms (registered on ``accord
agreements`` by ``cli.agreements``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from accord.agreements import views
from accord.agreements.model import Agreement
from accord.agreements.nations import nation_code
from accord.agreements.periods import charted_span, dated_events, status_changes, status_periods
from accord.agreements.register import Register
from accord.cli import context
from accord.cli.dates import FromOption, ToOption, range_of
from accord.cli.register_reading import JsonOption, NationOption, TypeOption, read_register
from accord.cli.timeline_chart import MARK_STYLE, MarkRow, render_timeline
from accord.errors import InvalidInput
from accord.transfers.coverage import check_case


def changes(
    first: Annotated[
        str | None,
        typer.Argument(
            metavar="[NATION]", help="Only changes between these two nations (both or neither)."
        ),
    ] = None,
    second: Annotated[
        str | None,
        typer.Argument(
            metavar="[NATION]", help="Only changes between these two nations (both or neither)."
        ),
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    type_: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every status change and every recorded event in a range, with their sources (between two
    nations, or in the whole register)."""
    if (first is None) != (second is None):
        raise InvalidInput("give two nations, or none for the whole register")
    span = range_of(start, end)
    if span is None:
        raise InvalidInput("give the range: --from DATE [--to DATE]")
    register = read_register(None)
    nations = [n for n in (first, second) if n is not None]
    agreements = register.select(nations=nations, type_name=type_)
    found = status_changes(register, agreements, *span)
    events = dated_events(agreements, *span)
    if as_json:
        context.print_json(
            {
                "nations": sorted(nation_code(n) for n in nations) or None,
                "from": span[0].isoformat(),
                "to": span[1].isoformat(),
                "changes": [views.change_view(register, c) for c in found],
                "events": [views.dated_event_view(register, e) for e in events],
            }
        )
        return
    between = f" between {' and '.join(sorted(nation_code(n) for n in nations))}" if nations else ""
    out = context.out
    out.print(f"Changes{between} from {span[0]} to {span[1]}", markup=False, style="bold")
    if not found and not events:
        out.print("  none recorded", markup=False)
        return
    for change in found:
        t = change.transition
        out.print(
            f"  {t.window!s:<10} {change.agreement.id} -> {t.status.value}: {t.reason}",
            markup=False,
        )
    if events:
        out.print("Events, with their sources", markup=False, style="bold")
    sources = {s.id: s for s in register.sources}
    for dated in events:
        event = dated.event
        note = f" ({event.note})" if event.note else ""
        out.print(
            f"  {event.date!s:<10} {dated.agreement.id} {event.kind.value}{note}", markup=False
        )
        for source_id in event.sources:
            source = sources.get(source_id)
            title = f" {source.title}" if source else ""
            url = f" {source.url}" if source and source.url else ""
            out.print(f"      [{source_id}]{title}{url}", markup=False)


def timeline(
    nation: NationOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """A chart of every agreement's terms, suspensions and lapses (--from/--to: over that range;
    --json: each agreement's statuses, period by period)."""
    register = read_register(None)
    selected = register.select(nations=[nation] if nation else [])
    span = range_of(start, end)
    if as_json:
        first, last = span or _charted(selected)
        context.print_json(
            [
                views.periods_view(
                    register, a, status_periods(register.timeline(a.id), first, last)
                )
                for a in selected
            ]
        )
        return
    if not selected:
        context.out.print("No agreement matches.")
        return
    marks = _transfer_marks(register, selected, nation_code(nation) if nation else None)
    chart = render_timeline(
        register,
        selected,
        context.clock.today(),
        context.out.width,
        marks,
        span=span or _charted(selected),
    )
    context.out.print(chart)


def _charted(agreements: tuple[Agreement, ...]) -> tuple[dt.date, dt.date]:
    return charted_span(agreements, context.clock.today())


def _transfer_marks(
    register: Register, selected: tuple[Agreement, ...], nation: str | None
) -> tuple[MarkRow, ...]:
    """One row of marks per buyer whose cases involve the nations charted."""
    with context.transfer_service() as service:
        record = service.record()
    parties = {p for a in selected for p in a.parties}
    rows = []
    for buyer in sorted({c.buyer for c in record.cases}):
        if buyer not in parties or (nation is not None and nation not in (buyer, "USA")):
            continue
        marks = []
        for case in record.cases:
            if case.buyer != buyer:
                continue
            first = check_case(register, record.categories, case).events[0]
            marks.append((case.events[0].date.earliest, MARK_STYLE[first.status.value]))
        rows.append(MarkRow(label=f"transfers to {buyer}", marks=tuple(marks)))
    return tuple(rows)
