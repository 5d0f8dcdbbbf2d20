"""What every command needs: settings, the clock, the node's services, and output helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.agreements.merge import MergeSummary
from accord.clock import Clock, SystemClock
from accord.config import Settings, load_settings
from accord.errors import InvalidInput
from accord.node.register import RegisterService
from accord.node.services import NodeServices
from accord.node.transfers import TransferService

#: Tests replace this to run commands at a fixed date.
clock: Clock = SystemClock()

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def settings() -> Settings:
    return load_settings()


@contextmanager
def node() -> Iterator[NodeServices]:
    """The node's services (the one composition root), closed when the block ends."""
    services = NodeServices.open(settings(), clock)
    try:
        yield services
    finally:
        services.close()


@contextmanager
def register_service() -> Iterator[RegisterService]:
    with node() as services:
        yield services.register


@contextmanager
def transfer_service() -> Iterator[TransferService]:
    with node() as services:
        yield services.transfers()


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner and ``what`` on stderr while a long step runs, when stderr is a terminal (a
    script reading the output sees nothing of it)."""
    if not err.is_terminal:
        yield
        return
    with err.status(what):
        yield


@contextmanager
def progress_bar(what: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, when it is a terminal; yields ``advance(n)``. The bar goes
    when the block ends, leaving the command's own output."""
    if not err.is_terminal:
        yield lambda _n: None
        return
    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


def print_json(value: Any) -> None:
    """JSON on stdout, exactly (no Rich markup or wrapping), for other tools to read."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_file(path: Path, limit: int, what: str = "") -> bytes:
    """A file's bytes, reading at most ``limit`` (a larger file is refused, not truncated)."""
    label = f"{what} {path}".strip()
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as e:
        raise InvalidInput(f"{label}: cannot read: {e.strerror}") from None
    if len(data) > limit:
        raise InvalidInput(f"{label}: larger than the limit of {limit} bytes")
    return data


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 entry``, ``2 entries``: a count with its noun in the right number."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def print_import(name: str, summary: MergeSummary, where: str, as_json: bool = False) -> None:
    """What an import did, for people (``where``: "the register", "the transfer cases"), or as
    JSON: ``file``, ``changed``, ``added``, ``replaced``, ``unchanged``."""
    if as_json:
        print_json({"file": name, "changed": summary.changed} | summary.to_dict())
        return
    if not summary.changed:
        out.print(
            f"Nothing to import: all {counted(len(summary.unchanged), 'entry', 'entries')} of "
            f"{name} are already in "
            f"{where}.",
            markup=False,
        )
        return
    out.print(
        f"Imported {name}: {len(summary.added)} added, {len(summary.replaced)} replaced, "
        f"{len(summary.unchanged)} unchanged.",
        markup=False,
    )
    for line in summary.added + summary.replaced:
        out.print(f"  {line}", markup=False)


def print_outbox(rows: list[dict[str, Any]]) -> None:
    """Sent messages as a table that fits 80 columns: ids whole (people copy them), then the
    recipient nation, the capability and the state; ``--json`` has every field."""
    table = Table(box=None, pad_edge=False)
    table.add_column("id", no_wrap=True, min_width=36)
    table.add_column("to", no_wrap=True)
    table.add_column("capability", overflow="ellipsis", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for row in rows:
        table.add_row(row["id"], row["recipient_nation"], row["capability"], row["status"])
    out.print(table)
