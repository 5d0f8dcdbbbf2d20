"""Views the CLI and the API both render, built once: the channels open between two nations on
a day, and what-if release decisions (any sender, recipient, label, day and clearance)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from accord.errors import InvalidInput
from accord.labels.label import Clearance, Label
from accord.policy.clearances import national_clearance
from accord.policy.engine import PolicyEngine
from accord.policy.model import Decision, ReleaseRequest


def channels_view(engine: PolicyEngine, first: str, second: str, day: dt.date) -> dict[str, Any]:
    """``{"nations", "day", "channels": [{"capability", "agreements", "until"}]}``."""
    return {
        "nations": sorted([first, second]),
        "day": day.isoformat(),
        "channels": [
            {
                "capability": opening.capability,
                "agreements": list(opening.agreements),
                "until": str(opening.until) if opening.until else None,
            }
            for opening in engine.channels(first, second, day)
        ],
    }


def clearance_of_level(
    engine: PolicyEngine,
    recipient: str,
    level: str,
    day: dt.date,
    categories: Sequence[str] = (),
) -> Clearance:
    """A national of ``recipient`` cleared to ``level`` of its policy (with ``categories``)."""
    policy = engine.policy_of_nation(recipient)
    if policy is None:
        raise InvalidInput(f"no security policy is known for {recipient}: give a clearance file")
    return national_clearance(policy, level, recipient, day, categories)


def what_if(
    engine: PolicyEngine,
    *,
    sender: str,
    recipient: str,
    label: Label,
    capability: str,
    activity: str,
    day: dt.date,
    clearance: Clearance | None,
) -> Decision:
    """A release decided as asked: nothing is sealed, sent or logged."""
    return engine.decide(
        ReleaseRequest(
            sender=sender,
            recipient=recipient,
            label=label,
            capability=capability,
            activity=activity,
            day=day,
            clearance=clearance,
        )
    )
