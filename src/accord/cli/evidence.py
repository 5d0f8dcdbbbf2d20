"""``--evidence``: the weakest evidence grade a query counts (docs/register.md, "Evidence")."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.agreements.evidence import Grade
from accord.cli import context
from accord.errors import InvalidInput

EvidenceOption = Annotated[
    str | None,
    typer.Option(
        "--evidence",
        help="The weakest evidence grade that counts: official, reported, secondary or "
        "inferred (default: the node's setting, reported).",
    ),
]


def reading(value: str | None) -> Grade:
    """The reading a query asked for, or the node's."""
    if value is None:
        return context.settings().evidence
    try:
        return Grade(value.strip().lower())
    except ValueError:
        known = ", ".join(g.value for g in Grade)
        raise InvalidInput(
            f"unknown evidence grade '{value[:40]}': expected one of {known}", field="--evidence"
        ) from None
