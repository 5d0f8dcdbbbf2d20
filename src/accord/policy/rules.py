"""The rules of a release decision, each a small function returning a ``RuleResult``.

Messages name the agreements and dates they rest on, in words an officer and an auditor read the
same way. Results that do not depend on the exact day are built once per status interval and
reused (``{day}`` in a message is filled in per decision).
"""

from __future__ import annotations

import datetime as dt

from accord.agreements.vocabulary import Activity, Capability, Status
from accord.labels.checks import acdf
from accord.labels.label import Clearance, Label
from accord.labels.security_policy import SecurityPolicy
from accord.policy.index import AgreementIntervals, CompiledRegister
from accord.policy.model import Outcome, RuleResult

AGREEMENT = "agreement-in-force"
EQUIVALENCE = "classification-equivalence"
TRANSLATION = "label-translation"
RELEASABILITY = "releasability"
CLEARANCE = "clearance"
CAVEATS = "agreement-caveats"
ORIGINATOR = "originator-consent"

RELEASABLE_TO = "Releasable To"
NATIONAL_CAVEAT = "Dissemination"


_ACTIVITIES = frozenset(a.value for a in Activity)


def _in_force_message(entry: AgreementIntervals, explanation: str) -> str:
    return f"{entry.agreement.id} in force on {{day}} ({explanation})"


def agreements_in_force(
    compiled: CompiledRegister,
    first: str,
    second: str,
    capability: str,
    activity: str | None,
    day: dt.date,
    *,
    rule: str,
) -> RuleResult:
    """Is an agreement providing ``capability`` in force between the nations on ``day``, with a
    scope covering ``activity``? ``uncertain`` denies, and says why."""
    known = activity is None or activity in _ACTIVITIES
    if not known:
        # A vocabulary newer than this node's: refused with the reason, never guessed at.
        return RuleResult(rule, Outcome.FAILED, f"this node does not know the activity {activity}")
    candidates = [e for e in compiled.between(first, second) if capability in e.capabilities]
    if not candidates:
        register = compiled.register
        unknown = [
            u
            for u in register.unknowns_between(first, second)
            if capability in register.catalog.resolve(u.type).capabilities
        ]
        if unknown:
            # Unknown is not absent, and never in force (docs/register.md, "Unknown agreements").
            return RuleResult(
                rule,
                Outcome.FAILED,
                "; ".join(
                    f"whether a {u.type} between {first} and {second} exists is unknown "
                    f"({u.reason}); unknown is never in force"
                    for u in unknown
                ),
            )
        return RuleResult(
            rule, Outcome.FAILED, f"no agreement between {first} and {second} provides {capability}"
        )
    passed: list[tuple[AgreementIntervals, str]] = []
    notes: list[str] = []
    for entry in candidates:
        _, report = entry.status(day)
        agreement = entry.agreement
        if report.status is Status.IN_FORCE:
            if activity is None or agreement.covers(Activity(activity)):
                # Say when the status rests on facts weaker than official (docs/register.md).
                grade = report.evidence
                rests = f"; on {grade.value} evidence" if grade and grade.rank else ""
                passed.append((entry, report.explanation + rests))
            else:
                scope = ", ".join(sorted(agreement.scope))
                notes.append(
                    f"{agreement.id} is in force but its scope ({scope}) does not cover {activity}"
                )
        elif report.status is Status.UNCERTAIN:
            notes.append(
                f"{agreement.id}: whether it was in force on {{day}} is uncertain "
                f"({report.explanation}); uncertain denies"
            )
        else:
            notes.append(f"{agreement.id} {report.explanation}; on {{day}} it was not in force")
    if passed:
        message = "; ".join(_in_force_message(e, x) for e, x in passed)
        if activity is not None:
            message += f"; its scope covers {activity}"
        ids = tuple(e.agreement.id for e, _ in passed)
        return RuleResult(rule, Outcome.PASSED, message, agreements=ids)
    return RuleResult(rule, Outcome.FAILED, "; ".join(notes))


def is_classified(policy: SecurityPolicy, label: Label) -> bool:
    """Above the lowest level of its policy (UNCLASSIFIED in the shipped ones)."""
    if label.classification is None:
        return True
    lowest = min(c.hierarchy for c in policy.classifications)
    return policy.classification(label.classification).hierarchy > lowest


def equivalence(
    compiled: CompiledRegister,
    sender: str,
    recipient: str,
    classified: bool,
    level: str,
    day: dt.date,
) -> RuleResult:
    if not classified:
        return RuleResult(
            EQUIVALENCE,
            Outcome.NOT_APPLICABLE,
            f"{level} information needs no classification equivalence",
        )
    result = agreements_in_force(
        compiled,
        sender,
        recipient,
        Capability.CLASSIFICATION_EQUIVALENCE.value,
        None,
        day,
        rule=EQUIVALENCE,
    )
    if result.outcome is Outcome.PASSED:
        return RuleResult(
            EQUIVALENCE,
            Outcome.PASSED,
            f"{result.message}; it provides the classification equivalence "
            f"{level} information needs",
            agreements=result.agreements,
        )
    return RuleResult(
        EQUIVALENCE,
        Outcome.FAILED,
        f"{level} information needs an agreement in force providing classification equivalence "
        f"between {sender} and {recipient}: {result.message}",
    )


def _values(policy: SecurityPolicy, label: Label, tag_set: str) -> list[str]:
    return [c.name for c in policy.sorted_categories(label.categories) if c.tag_set_name == tag_set]


def releasability(
    policy: SecurityPolicy, label: Label, recipient: str, groups: frozenset[str], classified: bool
) -> RuleResult:
    caveats = _values(policy, label, NATIONAL_CAVEAT)
    if caveats:
        return RuleResult(
            RELEASABILITY,
            Outcome.FAILED,
            f"{', '.join(caveats)} forbids release to any foreign nation",
        )
    rel_to = _values(policy, label, RELEASABLE_TO)
    if recipient in rel_to:
        return RuleResult(
            RELEASABILITY, Outcome.PASSED, f"{recipient} is in REL TO {', '.join(rel_to)}"
        )
    through = sorted(groups & set(rel_to))
    if through:
        return RuleResult(
            RELEASABILITY,
            Outcome.PASSED,
            f"{recipient} is in REL TO {', '.join(rel_to)} as a member of {', '.join(through)}",
        )
    if not rel_to:
        if classified:
            return RuleResult(
                RELEASABILITY,
                Outcome.FAILED,
                "classified information with no REL TO list is not releasable to foreign nations",
            )
        return RuleResult(
            RELEASABILITY, Outcome.PASSED, "unclassified, with no release restriction"
        )
    return RuleResult(
        RELEASABILITY, Outcome.FAILED, f"{recipient} is not in REL TO {', '.join(rel_to)}"
    )


def clearance(
    policy: SecurityPolicy | None, label: Label | None, held: Clearance | None
) -> RuleResult:
    if held is None:
        return RuleResult(CLEARANCE, Outcome.FAILED, "the recipient's clearance is not known")
    if policy is None or label is None:
        return RuleResult(
            CLEARANCE,
            Outcome.FAILED,
            "no label under the recipient's policy to check the clearance against",
        )
    decision = acdf(policy, label, held)
    return RuleResult(
        CLEARANCE, Outcome.PASSED if decision.granted else Outcome.FAILED, decision.reason
    )


def originator(sender: str, label_nation: str | None) -> RuleResult:
    """Information originated by another nation is not released onward without its consent."""
    if label_nation is None or label_nation == sender:
        return RuleResult(
            ORIGINATOR, Outcome.NOT_APPLICABLE, f"{sender} originated the information (its label)"
        )
    return RuleResult(
        ORIGINATOR,
        Outcome.FAILED,
        f"the label is under {label_nation}'s policy: {sender} may not release {label_nation}'s "
        "information to a third party without its consent",
    )


def caveats(compiled: CompiledRegister, agreement_ids: tuple[str, ...]) -> RuleResult:
    obligations = []
    for agreement_id in agreement_ids:
        agreement = compiled.register.get(agreement_id)
        for caveat in agreement.caveats:
            text = f": {caveat.text}" if caveat.text else ""
            obligations.append(f"{caveat.code} ({agreement_id}){text}")
    if not obligations:
        return RuleResult(CAVEATS, Outcome.NOT_APPLICABLE, "the agreements used attach no caveats")
    return RuleResult(
        CAVEATS,
        Outcome.PASSED,
        "the agreements used attach: " + "; ".join(obligations),
        obligations=tuple(obligations),
    )
