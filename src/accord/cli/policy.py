"""``accord decide``: release decisions, asked on the node's register (nothing is sent)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity
from accord.agreements.vocabulary import capability as capability_of
from accord.cli import context
from accord.cli.dates import OnOption, day_of
from accord.cli.evidence import EvidenceOption, reading
from accord.cli.label_values import LABEL_OPTION, label_value
from accord.labels.label import Clearance, Label
from accord.labels.reading import read_clearance
from accord.node.labels import policy_of
from accord.node.views import clearance_of_level, what_if
from accord.policy.engine import PolicyEngine

DENIED_EXIT = 3


def _engine(evidence: str | None = None) -> PolicyEngine:
    with context.register_service() as service:
        return service.engine(reading(evidence))


def _label(value: str, engine: PolicyEngine, sender: str) -> Label:
    """A label file, or a banner read under the releasing nation's policy."""
    return label_value(value, policies=engine.policies, banner_policy=policy_of(engine, sender))


def _clearance(
    value: str | None, categories: list[str], recipient: str, engine: PolicyEngine, day: dt.date
) -> Clearance | None:
    if value is None:
        return None
    path = Path(value)
    if path.is_file():
        limit = context.settings().limits.label_bytes
        return read_clearance(context.read_file(path, limit, "clearance"), engine.policies)
    return clearance_of_level(engine, recipient, value, day, categories)


def decide(
    sender: Annotated[str, typer.Option("--from", metavar="NATION", help="The releasing nation.")],
    recipient: Annotated[str, typer.Option("--to", metavar="NATION", help="The receiving nation.")],
    label: Annotated[str, LABEL_OPTION],
    capability: Annotated[str, typer.Option("--capability", help="e.g. secure-communications.")],
    activity_name: Annotated[str, typer.Option("--activity", help="e.g. joint-exercises.")],
    clearance: Annotated[
        str | None,
        typer.Option("--clearance", help="A level of the recipient's policy, or a clearance file."),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="A category the recipient holds (repeatable)."),
    ] = None,
    on: OnOption = None,
    evidence: EvidenceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Decide a release: exit 0 when permitted, 3 when denied."""
    day = day_of(on)
    sender_code, recipient_code = nation_code(sender), nation_code(recipient)
    capability_value = capability_of(capability).value
    activity_value = activity(activity_name).value
    engine = _engine(evidence)
    decision = what_if(
        engine,
        sender=sender_code,
        recipient=recipient_code,
        label=_label(label, engine, sender_code),
        capability=capability_value,
        activity=activity_value,
        day=day,
        clearance=_clearance(clearance, category or [], recipient_code, engine, day),
    )
    if as_json:
        context.print_json(decision.to_dict())
    else:
        sys.stdout.write(decision.explain() + "\n")
    if not decision.permit:
        raise typer.Exit(DENIED_EXIT)
