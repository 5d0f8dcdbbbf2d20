"""``accord agreements``: the register of agreements and their lifecycle."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from accord.agreements import views
from accord.agreements.dates import Duration
from accord.agreements.document import detect_format
from accord.agreements.lifecycle import StatusReport
from accord.agreements.model import Agreement, UnknownAgreement
from accord.agreements.nations import nation_code
from accord.agreements.periods import (
    capability_periods,
    status_periods,
)
from accord.agreements.public_record import public_record
from accord.agreements.record import event_to_dict, register_to_dict
from accord.agreements.register import Register
from accord.agreements.vocabulary import Status, activity
from accord.cli import context
from accord.cli.agreements_history import changes, timeline
from accord.cli.dates import FromOption, OnOption, ToOption, day_or_range
from accord.cli.evidence import EvidenceOption
from accord.cli.register_reading import (
    JsonOption,
    NationOption,
    TypeOption,
    read_register,
    whole_register,
)
from accord.errors import InvalidInput, StorageError
from accord.node.register import event_from_fields

app = typer.Typer(
    help="The register of agreements: list, status, timeline, import, record.", no_args_is_help=True
)

_STATUS_STYLE = {
    Status.IN_FORCE: "green",
    Status.UNCERTAIN: "yellow",
    Status.SUSPENDED: "yellow",
    Status.LAPSED: "red",
    Status.TERMINATED: "red",
    Status.NOT_YET_IN_FORCE: "bright_black",
    Status.UNKNOWN: "yellow",
}


class ExportFormat(StrEnum):
    yaml = "yaml"
    json = "json"


def _status_text(report: StatusReport) -> str:
    style = _STATUS_STYLE[report.status]
    return f"[{style}]{report.status.value}[/]"


@app.command("list")
def list_agreements(
    nation: NationOption = None, type_: TypeOption = None, as_json: JsonOption = False
) -> None:
    """List the agreements in the register with their status today."""
    register = whole_register()
    today = context.clock.today()
    selected = register.select(nations=[nation] if nation else [], type_name=type_)
    reports = [register.status(a.id, today) for a in selected]
    if as_json:
        context.print_json([views.status_view(register, r) for r in reports])
        return
    table = Table(title=f"Agreements on {today}", title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in ("type", "parties", "status", "since", "until"):
        table.add_column(column)
    for agreement, report in zip(selected, reports, strict=True):
        table.add_row(
            agreement.id,
            agreement.type,
            ", ".join(agreement.parties),
            _status_text(report),
            str(report.since or report.window or ""),
            str(report.until or ""),
        )
    context.out.print(table)
    if not selected:
        context.out.print("No agreement matches.")


#: One of the two nations a question is about (status, capabilities).
NationArgument = Annotated[
    str,
    typer.Argument(
        metavar="NATION",
        help="A nation: ISO 3166-1 alpha-3 (USA, PAK, IND); the order does not matter.",
    ),
]


@app.command()
def show(
    agreement_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="An agreement id (accord agreements list), e.g. pak-usa-cismoa."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Show one agreement: parties, scope, caveats, terms, events and their sources."""
    register = whole_register()
    agreement = register.get(agreement_id)
    report = register.status(agreement.id, context.clock.today())
    if as_json:
        context.print_json(views.agreement_view(register, agreement, report))
        return
    out = context.out
    agreement_type = register.type_of(agreement)
    out.print(f"[bold]{agreement.id}[/]  {agreement.title or agreement_type.name}")
    out.print(f"  type:          {agreement.type} ({agreement_type.name})")
    out.print(f"  parties:       {', '.join(agreement.parties)}")
    for signatory in agreement.signatories:
        out.print(f"  signatory:     {signatory.organisation} ({signatory.nation})")
    scope = ", ".join(sorted(a.value for a in agreement.scope)) or "not stated (every activity)"
    out.print(f"  scope:         {scope}")
    out.print(f"  capabilities:  {', '.join(sorted(register.capabilities_of(agreement)))}")
    for caveat in agreement.caveats:
        out.print(f"  caveat:        {caveat.code}: {caveat.text}")
    out.print(f"  status today:  {_status_text(report)}: {report.explanation}")
    if agreement.note:
        out.print(f"  note:          {agreement.note}")
    table = Table(title="Events", title_justify="left")
    for column in ("date", "event", "term", "note", "sources"):
        table.add_column(column)
    for event in agreement.ordered_events:
        table.add_row(
            str(event.date),
            event.kind.value,
            str(event.term or ""),
            event.note,
            "\n".join(event.sources),
        )
    out.print(table)
    for source in register.sources:
        if any(source.id in e.sources for e in agreement.events):
            line = f"  [{source.id}] {source.title}"
            if source.publisher:
                line += f", {source.publisher}"
            if source.date:
                line += f", {source.date}"
            out.print(line + (f"\n      {source.url}" if source.url else ""))


@app.command()
def status(
    first: NationArgument,
    second: NationArgument,
    type_: TypeOption = None,
    on: OnOption = None,
    start: FromOption = None,
    end: ToOption = None,
    evidence: EvidenceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which agreements between two nations were in force on a day (default today), or period by
    period over a range (--from/--to), and on what evidence."""
    day, span = day_or_range(on, start, end)
    register = read_register(evidence)
    unknowns = register.unknowns_between(first, second, type_name=type_)
    pair = f"{nation_code(first)} and {nation_code(second)}"
    if span is not None:
        _status_over(
            register,
            register.select(nations=[first, second], type_name=type_),
            span,
            pair,
            as_json,
            [views.unknown_view(register, u, day) for u in unknowns],
        )
        return
    reports = register.status_between(first, second, day, type_name=type_)
    if as_json:
        context.print_json(
            [views.status_view(register, r) for r in reports]
            + [views.unknown_view(register, u, day) for u in unknowns]
        )
        return
    if not reports and not unknowns:
        context.out.print(f"No agreement between {pair} matches.")
        return
    context.out.print(f"[bold]Agreements between {pair} on {day}[/]")
    for report in reports:
        agreement = register.get(report.agreement_id)
        grade = escape(f" [{report.evidence.value}]") if report.evidence else ""
        context.out.print(f"  {agreement.id} ({agreement.type}): {_status_text(report)}{grade}")
        context.out.print(f"      {report.explanation}")
    _print_unknowns(unknowns, register, day)


def _print_unknowns(
    unknowns: tuple[UnknownAgreement, ...], register: Register, day: dt.date
) -> None:
    for unknown in unknowns:
        view = views.unknown_view(register, unknown, day)
        grade = escape(f"[{unknown.grade.value}]")
        context.out.print(f"  {unknown.type}: [yellow]unknown[/] {grade}")
        context.out.print(f"      {view['explanation']}", markup=False)


def _status_over(
    register: Register,
    agreements: tuple[Agreement, ...],
    span: tuple[dt.date, dt.date],
    pair: str,
    as_json: bool,
    unknowns: list[dict[str, Any]],
) -> None:
    """``status --from/--to``: each agreement's statuses, period by period."""
    first, last = span
    found = [(a, status_periods(register.timeline(a.id), first, last)) for a in agreements]
    if as_json:
        context.print_json([views.periods_view(register, a, p) for a, p in found] + unknowns)
        return
    if not found and not unknowns:
        context.out.print(f"No agreement between {pair} matches.")
        return
    context.out.print(f"[bold]Agreements between {pair} from {first} to {last}[/]")
    for agreement, periods in found:
        context.out.print(f"  {agreement.id} ({agreement.type})", markup=False)
        for period in periods:
            days = f"{period.start} to {period.end}"
            context.out.print(f"    {days}: {_status_text(period.report)}")
            context.out.print(f"        {period.report.explanation}", markup=False)
    for unknown in unknowns:
        context.out.print(f"  {unknown['type']}: [yellow]unknown[/]")
        context.out.print(f"      {unknown['explanation']}", markup=False)


@app.command()
def capabilities(
    first: NationArgument,
    second: NationArgument,
    activity_name: Annotated[
        str | None, typer.Option("--activity", help="Only agreements whose scope covers it.")
    ] = None,
    on: OnOption = None,
    start: FromOption = None,
    end: ToOption = None,
    evidence: EvidenceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which capabilities (channels) are open between two nations on a day, through which
    agreements and until when; or, over a range, every period each was open
    ('accord channels' is the same command)."""
    day, span = day_or_range(on, start, end)
    chosen = activity(activity_name) if activity_name else None
    register = read_register(evidence)
    a, b = nation_code(first), nation_code(second)
    header: dict[str, Any] = {
        "nations": sorted([a, b]),
        "activity": chosen.value if chosen else None,
    }
    for_what = f" for {chosen.value}" if chosen else ""
    if span is not None:
        periods = capability_periods(register, a, b, span[0], span[1], chosen)
        when = f"from {span[0]} to {span[1]}"
        if as_json:
            header |= {"from": span[0].isoformat(), "to": span[1].isoformat()}
            context.print_json(
                header | {"channels": [views.capability_period_view(p) for p in periods]}
            )
            return
        rows = [(p.capability, ", ".join(p.agreements), f"{p.start} to {p.end}") for p in periods]
        columns = ("capability", "through", "open")
    else:
        openings = register.open_capabilities(a, b, day, chosen)
        when = f"on {day}"
        if as_json:
            header |= {"day": day.isoformat()}
            context.print_json(header | {"channels": [views.opening_view(o) for o in openings]})
            return
        rows = [
            (o.capability, ", ".join(o.agreements), str(o.until) if o.until else "no end recorded")
            for o in openings
        ]
        columns = ("capability", "through", "until")
    pair = f"{a} and {b}"
    if not rows:
        context.out.print(f"Nothing is open between {pair} {when}{for_what}.")
        return
    table = Table(title=f"Open between {pair} {when}{for_what}", title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    context.out.print(table)


app.command()(changes)
app.command()(timeline)


@app.command()
def expiring(
    within: Annotated[str, typer.Option("--within", help="How far ahead: 365d, 6m, 2y.")] = "365d",
    nation: NationOption = None,
    as_json: JsonOption = False,
) -> None:
    """Agreements in force today whose term may end within the given time."""
    try:
        horizon_duration = Duration.parse(within)
    except InvalidInput as e:
        raise e.at(field_prefix="--within") from None
    today = context.clock.today()
    register = whole_register()
    found = register.expiring(
        today, horizon_duration.add_to(today), nations=[nation] if nation else []
    )
    if as_json:
        context.print_json([views.expiry_view(register, e) for e in found])
        return
    if not found:
        context.out.print(f"No agreement in force expires within {within}.")
        return
    table = Table(title=f"Expiring within {within} of {today}", title_justify="left")
    for column in ("id", "parties", "until", "days left"):
        table.add_column(column)
    for expiry in found:
        table.add_row(
            expiry.agreement.id,
            ", ".join(expiry.agreement.parties),
            str(expiry.report.until),
            str(expiry.days_left),
        )
    context.out.print(table)


@app.command("import")
def import_file(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A YAML or JSON file in the register's schema (docs/register.md)."
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite agreements that exist with other content.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import agreements from a YAML or JSON file in the public record's schema; all or
    nothing."""
    fmt = detect_format(path.name)
    limit = context.settings().limits.import_bytes
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror}") from None
    with context.register_service() as service, context.working(f"importing {path.name}"):
        try:
            summary = service.import_document(raw, fmt, limit=limit, replace=replace, actor="cli")
        except InvalidInput as e:
            raise InvalidInput(f"{path.name}: {e}") from None
    context.print_import(path.name, summary, "the register", as_json)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.yaml,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    shipped: Annotated[
        bool,
        typer.Option(
            "--shipped", help="Export the public record this version ships, not the node's."
        ),
    ] = False,
) -> None:
    """Export the register in the public record's schema (importable with 'import')."""
    document = register_to_dict(public_record() if shipped else whole_register())
    if fmt is ExportFormat.json:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise StorageError(f"cannot write {output}: {e.strerror}") from None
    context.out.print(f"Exported the register to {output}")


@app.command()
def record(
    agreement_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="An agreement id (accord agreements list), e.g. pak-usa-cismoa."
        ),
    ],
    event_name: Annotated[
        str,
        typer.Argument(
            metavar="EVENT",
            help="The event: approved, signed, entered-into-force, amended, notice-given, "
            "suspended, resumed, expired, renewed or terminated.",
        ),
    ],
    date: Annotated[
        str,
        typer.Option(
            "--date", metavar="DATE", help="When: a day, a month, a year or a window A/B."
        ),
    ],
    term: Annotated[
        str | None,
        typer.Option(
            "--term",
            help="For signed, "
            "entered-into-force, renewed: 15y, open-ended, unstated, "
            "'self-renewing 1y notice 90d'.",
        ),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="URL of the source.")] = None,
    note: Annotated[str, typer.Option("--note", help="What the source says, in a line.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record a lifecycle event (signed, renewed, expired, suspended ...) for an agreement."""
    try:
        event, new_sources = event_from_fields(
            event_name, date, term=term, source=source, note=note
        )
    except InvalidInput as e:
        raise type(e)(e.reason, field=f"--{e.field}" if e.field else None) from None
    with context.register_service() as service:
        report = service.record_event(agreement_id, event, new_sources=new_sources, actor="cli")
        register = service.register()
    if as_json:
        context.print_json(
            {"recorded": event_to_dict(event), "today": views.status_view(register, report)}
        )
        return
    context.out.print(f"Recorded '{event.kind.value} {event.date}' for {agreement_id}.")
    context.out.print(f"  today: {_status_text(report)}: {report.explanation}")


@app.command()
def types(as_json: JsonOption = False) -> None:
    """The agreement types the register knows, their aliases and capabilities."""
    catalog = whole_register().catalog
    if as_json:
        context.print_json(
            [
                {
                    "code": t.code,
                    "name": t.name,
                    "aliases": list(t.aliases),
                    "capabilities": sorted(t.capabilities),
                    "builtin": t.builtin,
                }
                for t in catalog.types
            ]
        )
        return
    table = Table()
    for column in ("type", "name", "aliases", "capabilities"):
        table.add_column(column)
    for agreement_type in catalog.types:
        table.add_row(
            agreement_type.code,
            agreement_type.name,
            ", ".join(agreement_type.aliases),
            ", ".join(sorted(agreement_type.capabilities)),
        )
    context.out.print(table)
