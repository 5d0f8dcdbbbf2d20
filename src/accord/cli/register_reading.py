"""What the register's commands share: the register as a query reads it, and their options."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.agreements.register import Register
from accord.cli import context
from accord.cli.evidence import reading

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
NationOption = Annotated[
    str | None,
    typer.Option("--nation", help="Only agreements this nation (ISO alpha-3) is a party to."),
]
TypeOption = Annotated[
    str | None,
    typer.Option("--type", help="Agreement type or alias (CISMOA, COMCASA, LSA, LEMOA ...)."),
]


def whole_register() -> Register:
    with context.register_service() as service:
        return service.register()


def read_register(evidence: str | None) -> Register:
    """The register as a query's reading of the evidence sees it (the node's by default)."""
    with context.register_service() as service:
        return service.read(reading(evidence))
