"""The release rules as a Cedar policy set, generated from the register and the security policies.

Used to check Accord's engine against an independent evaluator (tests) and to benchmark it
(bench/policy.py): the same requests must get the same permit or deny. Nothing here imports
cedarpy; this module only writes Cedar text and the request contexts.

Encoding: principal ``Nation::"USA"`` (the sender), action ``Action::"release"``, resource
``Release::"r"``; the context carries the facts of the request (recipient, capability, activity,
day as yyyymmdd, the label's policy, classification and REL TO names, whether it carries a
national caveat, the recipient's groups and clearance level). One ``permit`` per agreement status
interval in force (per nation pair, capability and scope); ``forbid`` rules for classification
equivalence, releasability, national caveats, the originator's consent, clearance levels after
translation, and the recipient policy's exclusions.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from accord.agreements.vocabulary import Activity, Capability, Status
from accord.labels.equivalence import translate
from accord.labels.groups import groups_of
from accord.labels.label import Clearance, Label
from accord.labels.security_policy import SecurityPolicy
from accord.policy.engine import PolicyEngine
from accord.policy.index import AgreementIntervals
from accord.policy.model import ReleaseRequest
from accord.policy.rules import NATIONAL_CAVEAT, RELEASABLE_TO, is_classified

_END = 99991231


def _day(value: dt.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _in_force(entry: AgreementIntervals) -> list[tuple[int, int]]:
    """The [start, end) day intervals in which the agreement is certainly in force."""
    spans = []
    for i, report in enumerate(entry.reports):
        if report.status is not Status.IN_FORCE:
            continue
        start = _day(entry.starts[i])
        end = _day(entry.starts[i + 1]) if i + 1 < len(entry.starts) else _END
        spans.append((start, end))
    return spans


def _days(spans: list[tuple[int, int]]) -> str:
    if not spans:
        return "false"
    return " || ".join(f"(context.day >= {a} && context.day < {b})" for a, b in spans)


def _string(value: str) -> str:
    return json.dumps(value)


def policy_set(engine: PolicyEngine, nations: tuple[str, ...]) -> str:
    """The Cedar policies for releases among ``nations`` (each must have a national policy)."""
    out: list[str] = []
    compiled = engine.compiled
    for sender in nations:
        for recipient in nations:
            if sender == recipient:
                continue
            entries = compiled.between(sender, recipient)
            action = 'action == Action::"release"'
            head = f"permit(principal == Nation::{_string(sender)}, {action}, resource)"
            for entry in entries:
                spans = _in_force(entry)
                if not spans:
                    continue
                scope = entry.agreement.scope or frozenset(Activity)
                activities = "[" + ", ".join(_string(a.value) for a in sorted(scope)) + "]"
                for capability in sorted(entry.capabilities):
                    out.append(
                        f"{head} when {{ context.recipient == {_string(recipient)} && "
                        f"context.capability == {_string(capability)} && "
                        f"{activities}.contains(context.activity) && ({_days(spans)}) }};"
                    )
            equivalence = [
                span
                for entry in entries
                if Capability.CLASSIFICATION_EQUIVALENCE.value in entry.capabilities
                for span in _in_force(entry)
            ]
            out.append(
                f"forbid(principal == Nation::{_string(sender)}, action, resource) when {{ "
                f"context.recipient == {_string(recipient)} && context.classified && "
                f"!({_days(equivalence)}) }};"
            )
        out.append(
            f"forbid(principal == Nation::{_string(sender)}, action, resource) when {{ "
            f"context.label_policy != {_string(sender)} }};"
        )
    out.append("forbid(principal, action, resource) when { context.caveat };")
    out.append("forbid(principal, action, resource) when { context.clearance < 0 };")
    out.append(
        "forbid(principal, action, resource) when { "
        "context.classified && context.rel_to.isEmpty() };"
    )
    out.append(
        "forbid(principal, action, resource) when { !context.rel_to.isEmpty() && "
        "!context.rel_to.contains(context.recipient) && "
        "!context.rel_to.containsAny(context.recipient_groups) };"
    )
    out.extend(_clearance_rules(engine, nations))
    return "\n".join(out) + "\n"


def _clearance_rules(engine: PolicyEngine, nations: tuple[str, ...]) -> list[str]:
    """Per source level and recipient: the clearance level the translated label needs, and the
    recipient policy's exclusion of REL TO at some levels (the US policy's UNCLASSIFIED)."""
    out: list[str] = []
    for source_nation in nations:
        source = engine.policy_of_nation(source_nation)
        assert source is not None
        for recipient in nations:
            target = engine.policy_of_nation(recipient)
            assert target is not None
            excluded = _rel_to_excluded(target)
            if _requires_own(target) and source_nation != recipient:
                out.append(
                    f"forbid(principal, action, resource) when {{ "
                    f"context.label_policy == {_string(source_nation)} && "
                    f"context.recipient == {_string(recipient)} && !context.rel_to.isEmpty() && "
                    "!context.rel_to.contains(context.recipient) };"
                )
            for classification in source.classifications:
                bare = Label(policy_id=source.id, classification=classification.lacv)
                translated = translate(bare, source, target)
                assert translated.classification is not None
                level = target.classification(translated.classification)
                condition = (
                    f"context.label_policy == {_string(source_nation)} && "
                    f"context.recipient == {_string(recipient)} && "
                    f"context.classification == {classification.lacv}"
                )
                out.append(
                    f"forbid(principal, action, resource) when {{ {condition} && "
                    f"context.clearance < {level.hierarchy} }};"
                )
                if level.lacv in excluded:
                    out.append(
                        f"forbid(principal, action, resource) when {{ {condition} && "
                        "!context.rel_to.isEmpty() };"
                    )
    return out


def _requires_own(policy: SecurityPolicy) -> bool:
    """Whether the policy's REL TO values require its own nation to be listed too."""
    return any(
        category.required
        for tag_set in policy.tag_sets
        if tag_set.name == RELEASABLE_TO
        for tag in tag_set.tags
        for category in tag.categories
    )


def _rel_to_excluded(policy: SecurityPolicy) -> frozenset[int]:
    """Levels at which every REL TO value is excluded."""
    sets = [
        category.excluded_classes
        for tag_set in policy.tag_sets
        if tag_set.name == RELEASABLE_TO
        for tag in tag_set.tags
        for category in tag.categories
    ]
    return frozenset.intersection(*sets) if sets else frozenset()


def context(engine: PolicyEngine, request: ReleaseRequest) -> dict[str, Any]:
    """The Cedar request for ``request``: the facts only, no decision."""
    label: Label = request.label
    source = engine.policies.by_id(label.policy_id)
    categories = source.sorted_categories(label.categories)
    clearance: Clearance | None = request.clearance
    level = -1
    if clearance is not None:
        target = engine.policies.by_id(clearance.policy_id)
        level = max(target.classification(c).hierarchy for c in clearance.classifications)
    return {
        "principal": f"Nation::{_string(request.sender)}",
        "action": 'Action::"release"',
        "resource": 'Release::"r"',
        "context": {
            "recipient": request.recipient,
            "capability": request.capability,
            "activity": request.activity,
            "day": _day(request.day),
            "label_policy": source.name,
            "classification": label.classification if label.classification is not None else -1,
            "classified": is_classified(source, label),
            "rel_to": [c.name for c in categories if c.tag_set_name == RELEASABLE_TO],
            "caveat": any(c.tag_set_name == NATIONAL_CAVEAT for c in categories),
            "recipient_groups": sorted(groups_of(request.recipient, request.day)),
            "clearance": level,
        },
    }
