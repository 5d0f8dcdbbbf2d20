"""Release requests and decisions: values with their JSON forms."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any, NamedTuple

from accord.labels.json_form import label_to_dict
from accord.labels.label import Clearance, Label


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not-applicable"


class RuleResult(NamedTuple):
    """One rule's outcome. A named tuple: immutable, and cheap to make on every decision."""

    rule: str
    outcome: Outcome
    message: str
    #: Agreements this result rests on.
    agreements: tuple[str, ...] = ()
    #: Handling obligations it attaches to a permitted release.
    obligations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "outcome": self.outcome.value, "message": self.message}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseRequest:
    """May ``label``-ed information go from ``sender`` to ``recipient`` on ``day``?

    ``clearance`` is the recipient's, under the recipient nation's policy (``None``: not known,
    which denies).
    """

    sender: str
    recipient: str
    label: Label
    capability: str
    activity: str
    day: dt.date
    clearance: Clearance | None = None


class Decision(NamedTuple):
    """A release decision: the outcome, every rule's result, what it rests on and imposes."""

    permit: bool
    reasons: tuple[RuleResult, ...]
    agreements: tuple[str, ...]
    obligations: tuple[str, ...]
    register_version: str
    #: The label as the recipient's policy expresses it, and its marking there.
    recipient_label: Label | None = None
    recipient_marking: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "permit": self.permit,
            "reasons": [r.to_dict() for r in self.reasons],
            "agreements": list(self.agreements),
            "obligations": list(self.obligations),
            "register_version": self.register_version,
            "recipient_label": label_to_dict(self.recipient_label)
            if self.recipient_label
            else None,
            "recipient_marking": self.recipient_marking,
        }

    def explain(self) -> str:
        verdict = "PERMIT" if self.permit else "DENY"
        lines = [verdict]
        for reason in self.reasons:
            lines.append(f"  [{reason.outcome.value}] {reason.rule}: {reason.message}")
        if self.obligations:
            lines.append("  obligations: " + "; ".join(self.obligations))
        return "\n".join(lines)
