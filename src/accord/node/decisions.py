"""The node-level release decision, one for every path a message takes: a release (messaging),
a message decided again before it leaves (delivery), and a partner's message received (inbox).

The receiving nation's node stands for its readers with its nation's highest level under that
nation's policy (``node_accreditation``): each reader is decided again when they read. With no
policy for the receiving nation, there is no clearance, and the clearance rule denies: the node
fails closed rather than guessing how that nation's readers are cleared.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.labels.label import Label
from accord.node.views import what_if
from accord.policy.clearances import node_accreditation
from accord.policy.engine import PolicyEngine
from accord.policy.model import Decision
from accord.tlog.kinds import ReleaseDecisionEntry


def decide_release(
    engine: PolicyEngine,
    *,
    sender: str,
    recipient: str,
    label: Label,
    capability: str,
    activity: str,
    day: dt.date,
) -> Decision:
    policy = engine.policy_of_nation(recipient)
    return what_if(
        engine,
        sender=sender,
        recipient=recipient,
        label=label,
        capability=capability,
        activity=activity,
        day=day,
        clearance=node_accreditation(policy, recipient, day) if policy is not None else None,
    )


def decision_entry(
    decision: Decision,
    *,
    sender: str,
    recipient: str,
    capability: str,
    activity: str,
    label: dict[str, Any],
    user: str,
    at: dt.datetime,
    message: str | None = None,
    override: str | None = None,
) -> ReleaseDecisionEntry:
    """The log's record of a release decision (docs/tlog.md, ``release-decision``)."""
    return ReleaseDecisionEntry(
        decision="permit" if decision.permit else "deny",
        sender=sender,
        recipient=recipient,
        capability=capability,
        activity=activity,
        label=label,
        agreements=decision.agreements,
        register_version=decision.register_version,
        user=user,
        message=message,
        override=override,
        reasons=()
        if decision.permit
        else tuple((r.rule, r.message) for r in decision.reasons if r.outcome.value == "failed"),
        at=at,
    )
