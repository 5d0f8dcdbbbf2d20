"""``accord transfers``: equipment transfer cases and whether the agreements they need were in
force (docs/transfers.md). Cases and register are the node's (the public ones loaded at init,
and what operators import)."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from accord.agreements.document import detect_format
from accord.agreements.nations import nation_code
from accord.agreements.register import Register
from accord.cli import context
from accord.cli.dates import day_of
from accord.cli.evidence import EvidenceOption, reading
from accord.errors import InvalidInput, NotFound
from accord.transfers.coverage import CaseCoverage, Coverage, CoverageStatus, check_case, coverage
from accord.transfers.document import TransferRecord, case_to_dict, transfers_to_dict
from accord.transfers.whatif import Action, changed, parse_change

app = typer.Typer(
    help="Equipment transfer cases and the agreements that gave them legal cover.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
#: Exit code of a check whose answer is not covered, or unknown (as "not found" elsewhere).
NOT_COVERED_EXIT = 3


def _record() -> TransferRecord:
    with context.transfer_service() as service:
        return service.record()


def _register(evidence: str | None) -> Register:
    with context.register_service() as service:
        return service.read(reading(evidence))


def _case(record: TransferRecord, case_id: str) -> Any:
    try:
        return record.case(case_id)
    except InvalidInput:
        raise NotFound(f"no transfer case '{case_id[:64]}' (see accord transfers list)") from None


@app.command("list")
def list_cases(
    buyer: Annotated[str | None, typer.Option("--buyer", help="Only this buyer (alpha-3).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The transfer cases, oldest first."""
    record = _record()
    wanted = nation_code(buyer) if buyer else None
    cases = [c for c in record.cases if wanted is None or c.buyer == wanted]
    cases.sort(key=lambda c: (c.events[0].date, c.id))
    if as_json:
        context.print_json([case_to_dict(c) for c in cases])
        return
    for case in cases:
        first = case.events[0]
        value = f"${case.value / 1e6:,.0f}M" if case.value is not None else "value not stated"
        context.out.print(
            f"{case.id}  {case.buyer}  {first.kind.value} {first.date}  {value}", markup=False
        )
        context.out.print(f"    {case.title}", markup=False)


@app.command()
def show(
    case_id: Annotated[
        str, typer.Argument(metavar="CASE", help="A case id (accord transfers list).")
    ],
    as_json: JsonOption = False,
) -> None:
    """One case: its items and categories, its events with their sources and evidence grades."""
    record = _record()
    case = _case(record, case_id)
    if as_json:
        context.print_json(case_to_dict(case))
        return
    out = context.out
    out.print(f"{case.id}: {case.title}", markup=False)
    value = f"{case.value:,} {case.currency}" if case.value is not None else "not stated"
    out.print(f"  {case.kind.value.upper()} from {case.seller} to {case.buyer}; value {value}")
    out.print("  items:", markup=False)
    for item in case.items:
        quantity = f"{item.quantity} x " if item.quantity else ""
        out.print(f"    {quantity}{item.name} [{item.category}]", markup=False)
    out.print("  events:", markup=False)
    for event in case.events:
        cited = "; ".join(
            f"{record.source(s).publisher or record.source(s).title}" for s in event.sources
        )
        out.print(
            f"    {event.date}  {event.kind.value} ({event.grade.value}: {cited})", markup=False
        )
    if case.note:
        out.print(f"  note: {case.note}", markup=False)


CaseArgument = Annotated[
    str | None, typer.Argument(metavar="[CASE]", help="A case id (or use --buyer ...).")
]
BuyerOption = Annotated[str | None, typer.Option("--buyer", help="The buying nation.")]
CategoryOption = Annotated[
    str | None, typer.Option("--category", help="An item category (comsec-equipment ...).")
]
OnOption = Annotated[str | None, typer.Option("--on", metavar="DAY", help="The day, YYYY-MM-DD.")]
SellerOption = Annotated[str, typer.Option("--seller", help="The selling nation.")]


@dataclass(frozen=True, slots=True)
class _Question:
    """What a check asks: a case at each of its events, or a buyer, a category and a day."""

    record: TransferRecord
    case_id: str | None
    buyer: str | None
    category: str | None
    day: dt.date | None
    seller: str

    @classmethod
    def of(
        cls,
        case_id: str | None,
        buyer: str | None,
        category: str | None,
        on: str | None,
        seller: str,
    ) -> _Question:
        if case_id is not None:
            if buyer or category or on:
                raise InvalidInput("give a case id, or --buyer, --category and --on, not both")
            return cls(_record(), case_id, None, None, None, seller)
        if not (buyer and category and on):
            raise InvalidInput("give a case id, or all of --buyer, --category and --on")
        day = day_of(on)
        return cls(_record(), None, nation_code(buyer), category, day, nation_code(seller))

    def answer(self, register: Register) -> CaseCoverage | Coverage:
        if self.case_id is not None:
            return check_case(register, self.record.categories, _case(self.record, self.case_id))
        if self.buyer is None or self.category is None or self.day is None:
            raise InvalidInput("give a case id, or all of --buyer, --category and --on")
        return coverage(
            register,
            self.record.categories,
            buyer=self.buyer,
            seller=self.seller,
            category=self.category,
            day=self.day,
        )

    def print(self, result: CaseCoverage | Coverage, as_json: bool) -> None:
        if isinstance(result, CaseCoverage):
            _print_case(result, as_json)
        else:
            _print_coverage(result, as_json, f"{self.category} to {self.buyer} on {self.day}")


@app.command()
def check(
    case_id: CaseArgument = None,
    buyer: BuyerOption = None,
    category: CategoryOption = None,
    on: OnOption = None,
    seller: SellerOption = "USA",
    evidence: EvidenceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Was a transfer covered by the agreement it needs? A case at each of its dated events, or a
    buyer, a category and a day. Exit 0 when covered, 3 when not covered or unknown."""
    question = _Question.of(case_id, buyer, category, on, seller)
    result = question.answer(_register(evidence))
    question.print(result, as_json)
    if result.status is not CoverageStatus.COVERED:
        raise typer.Exit(NOT_COVERED_EXIT)


@app.command("what-if")
def what_if(
    case_id: CaseArgument = None,
    buyer: BuyerOption = None,
    category: CategoryOption = None,
    on: OnOption = None,
    seller: SellerOption = "USA",
    add: Annotated[
        list[str] | None,
        typer.Option(
            "--add",
            help="Suppose this event: 'AGREEMENT EVENT DATE [TERM]', e.g. "
            "'pak-usa-cismoa renewed 2020-10 15y' (repeatable).",
        ),
    ] = None,
    remove: Annotated[
        list[str] | None,
        typer.Option(
            "--remove",
            help="Suppose this event did not happen: 'AGREEMENT EVENT DATE', e.g. "
            "'pak-usa-cismoa expired 2020-10' (repeatable).",
        ),
    ] = None,
    evidence: EvidenceOption = None,
    as_json: JsonOption = False,
) -> None:
    """The same check with agreement events added or removed (a renewal a year earlier, a lapse
    avoided): the answer before and after. Removals apply first, then additions. Exit 0 when
    covered after the changes, 3 when not."""
    question = _Question.of(case_id, buyer, category, on, seller)
    changes = [parse_change(text, Action.REMOVE) for text in remove or []]
    changes += [parse_change(text, Action.ADD) for text in add or []]
    if not changes:
        raise InvalidInput("give at least one --add or --remove")
    grade = reading(evidence)
    with context.register_service() as service:
        full = service.register()
    before = question.answer(full.under(grade))
    after = question.answer(changed(full, changes).under(grade))
    if as_json:
        context.print_json(
            {
                "changes": [c.describe() for c in changes],
                "before": before.to_dict(),
                "after": after.to_dict(),
            }
        )
    else:
        context.out.print("supposing: " + "; ".join(c.describe() for c in changes), markup=False)
        context.out.print(f"before: {before.status.value}", markup=False)
        context.out.print("after:", markup=False)
        question.print(after, as_json=False)
    if after.status is not CoverageStatus.COVERED:
        raise typer.Exit(NOT_COVERED_EXIT)


def _print_coverage(found: Coverage, as_json: bool, what: str) -> None:
    if as_json:
        context.print_json(found.to_dict())
        return
    through = f" by {', '.join(found.agreements)}" if found.agreements else ""
    until = f" until {found.until}" if found.until else ""
    context.out.print(f"{what}: {found.status.value}{through}{until}", markup=False)
    for reason in found.reasons:
        context.out.print(f"  [{reason.outcome.value}] {reason.message}", markup=False)


def _print_case(result: CaseCoverage, as_json: bool) -> None:
    if as_json:
        context.print_json(result.to_dict())
        return
    case = result.case
    context.out.print(f"{case.id}: {result.status.value}", markup=False)
    for event in result.events:
        context.out.print(
            f"  {event.event.date} {event.event.kind.value} ({event.event.grade.value}): "
            f"{event.status.value}",
            markup=False,
        )
        for condition in event.conditions:
            context.out.print(
                f"    [{condition.outcome.value}] {condition.rule}: {condition.message}",
                markup=False,
            )
        for item in event.items:
            through = f" by {', '.join(item.agreements)}" if item.agreements else ""
            context.out.print(f"    {item.category}: {item.status.value}{through}", markup=False)
            if not item.covered:
                for reason in item.reasons:
                    context.out.print(f"      - {reason.message}", markup=False)


@app.command("import")
def import_file(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A YAML or JSON file in the schema accord.transfers/1 (docs/transfers.md).",
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite cases that exist with other content.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import transfer cases from a YAML or JSON file (schema accord.transfers/1); all or
    nothing."""
    fmt = detect_format(path.name)
    limit = context.settings().limits.import_bytes
    raw = context.read_file(path, limit, "transfers file")
    with context.transfer_service() as service, context.working(f"importing {path.name}"):
        try:
            summary = service.import_document(raw, fmt, limit=limit, replace=replace)
        except InvalidInput as e:
            raise InvalidInput(f"{path.name}: {e}") from None
    context.print_import(path.name, summary, "the transfer cases", as_json)


@app.command()
def export(as_json: JsonOption = False) -> None:
    """Print the node's transfer cases as a transfers document (YAML, or JSON with --json)."""
    document = transfers_to_dict(_record())
    if as_json:
        context.print_json(document)
        return
    sys.stdout.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
