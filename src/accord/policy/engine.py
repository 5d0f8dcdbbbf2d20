"""The policy engine: compiles the register once, decides releases, explains every decision.

Fail closed: a decision permits only when no rule failed; a rule that cannot decide fails (an
unknown policy, an untranslatable label, an unknown clearance, an uncertain status). Every rule is
evaluated, so a denial lists every reason, not only the first.

Speed: rule results that depend only on the status interval (not the exact day), the label and
the clearance are memoised, so a decision is a few dictionary lookups and bisects; messages that
mention the day are completed per decision.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from accord.agreements.register import CapabilityOpening, Register
from accord.agreements.vocabulary import Capability
from accord.errors import AccordError, LabelError
from accord.labels.equivalence import translate
from accord.labels.groups import groups_of
from accord.labels.label import Clearance, Label
from accord.labels.marking import display_marking
from accord.labels.national import shipped_policies
from accord.labels.security_policy import PolicySet, SecurityPolicy
from accord.policy import rules
from accord.policy.index import CompiledRegister
from accord.policy.model import Decision, Outcome, ReleaseRequest, RuleResult

T = TypeVar("T")
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True, kw_only=True)
class _Evaluated:
    """A decision's evaluation, shared by the days of the same status intervals."""

    permit: bool
    reasons: tuple[RuleResult, ...]
    #: Positions of the reasons whose message names the day.
    dated: tuple[int, ...]
    agreements: tuple[str, ...]
    obligations: tuple[str, ...]
    recipient_label: Label | None
    recipient_marking: str | None


@dataclass(frozen=True, slots=True)
class _LabelFacts:
    """What a decision needs to know about a label for one recipient."""

    classified: bool
    level: str
    label_nation: str | None
    translation: RuleResult
    recipient_policy: SecurityPolicy | None
    recipient_label: Label | None
    recipient_marking: str | None


class PolicyEngine:
    def __init__(
        self, register: Register, *, policies: PolicySet | None = None, version: str | None = None
    ) -> None:
        self.compiled = CompiledRegister.compile(register, version)
        self.policies = policies or shipped_policies()
        self._nation_policy = {p.name: p for p in self.policies}
        self._caches: dict[str, dict[Hashable, object]] = {}
        self._decisions: dict[Hashable, _Evaluated] = {}
        self._starts: dict[tuple[str, str], list[tuple[dt.date, ...]]] = {}

    @property
    def version(self) -> str:
        return self.compiled.version

    def _memo(self, name: str, key: Hashable, build: Callable[[], T]) -> T:
        cache = self._caches.setdefault(name, {})
        try:
            return cache[key]  # type: ignore[return-value]
        except KeyError:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            value = cache[key] = build()
            return value

    def policy_of_nation(self, nation: str) -> SecurityPolicy | None:
        return self._nation_policy.get(nation)

    # -- the rules, memoised ----------------------------------------------------------------

    def _agreement(
        self,
        first: str,
        second: str,
        capability: str,
        activity: str | None,
        day: dt.date,
        rule: str,
    ) -> RuleResult:
        entries = self.compiled.between(first, second)
        intervals = tuple(e.status(day)[0] for e in entries)
        key = (first, second, capability, activity, intervals, rule)
        return self._memo(
            "agreement",
            key,
            lambda: rules.agreements_in_force(
                self.compiled, first, second, capability, activity, day, rule=rule
            ),
        )

    def _label_facts(self, label: Label, recipient: str) -> _LabelFacts:
        return self._memo(
            "label", (label, recipient), lambda: self._build_label_facts(label, recipient)
        )

    def _build_label_facts(self, label: Label, recipient: str) -> _LabelFacts:
        source = self.policies.by_id(label.policy_id)
        classified = rules.is_classified(source, label)
        level = (
            source.classification(label.classification).name
            if label.classification is not None
            else "unlabelled"
        )
        label_nation = (
            source.name if source.name in self._nation_policy and source.name != "NATO" else None
        )
        target = self.policy_of_nation(recipient)
        if target is None:
            failure = RuleResult(
                rules.TRANSLATION, Outcome.FAILED, f"no security policy is known for {recipient}"
            )
            return _LabelFacts(classified, level, label_nation, failure, None, None, None)
        try:
            translated = translate(label, source, target)
            marking = display_marking(target, translated)
        except LabelError as e:
            failure = RuleResult(
                rules.TRANSLATION,
                Outcome.FAILED,
                f"the label has no equivalent under {recipient}'s policy: {e.reason}",
            )
            return _LabelFacts(classified, level, label_nation, failure, target, None, None)
        passed = RuleResult(
            rules.TRANSLATION,
            Outcome.PASSED,
            f"under {recipient}'s policy the label reads {marking}",
        )
        return _LabelFacts(classified, level, label_nation, passed, target, translated, marking)

    # -- decisions --------------------------------------------------------------------------

    def decide(self, request: ReleaseRequest) -> Decision:
        """Decide a release. Decisions that differ only in the day within the same status
        intervals share their evaluation; the day is written into the messages each time."""
        day = request.day
        starts = self._starts.get((request.sender, request.recipient))
        if starts is None:
            starts = self._starts[(request.sender, request.recipient)] = [
                e.starts for e in self.compiled.between(request.sender, request.recipient)
            ]
        intervals = tuple([bisect.bisect_right(s, day) for s in starts])
        key = (
            request.sender,
            request.recipient,
            request.label,
            request.capability,
            request.activity,
            request.clearance,
            intervals,
            groups_of(request.recipient, day),
        )
        evaluated = self._decisions.get(key)
        if evaluated is None:
            if len(self._decisions) >= _CACHE_LIMIT:
                self._decisions.clear()
            evaluated = self._decisions[key] = self._evaluate(request)
        reasons = evaluated.reasons
        if evaluated.dated:
            text = day.isoformat()
            dated = list(reasons)
            for i in evaluated.dated:
                dated[i] = _on_day(dated[i], text)
            reasons = tuple(dated)
        return Decision(
            evaluated.permit,
            reasons,
            evaluated.agreements,
            evaluated.obligations,
            self.compiled.version,
            evaluated.recipient_label,
            evaluated.recipient_marking,
        )

    def _evaluate(self, request: ReleaseRequest) -> _Evaluated:
        sender, recipient, day = request.sender, request.recipient, request.day
        facts = self._label_facts(request.label, recipient)
        source = self.policies.by_id(request.label.policy_id)
        groups = groups_of(recipient, day)
        results = [
            self._agreement(
                sender, recipient, request.capability, request.activity, day, rules.AGREEMENT
            ),
            self._equivalence(sender, recipient, facts, day),
            facts.translation,
            self._memo(
                "releasability",
                (request.label, recipient, groups),
                lambda: rules.releasability(
                    source, request.label, recipient, groups, facts.classified
                ),
            ),
            self._memo(
                "clearance",
                (facts.recipient_label, request.clearance),
                lambda: rules.clearance(
                    facts.recipient_policy, facts.recipient_label, request.clearance
                ),
            ),
            self._memo(
                "originator",
                (sender, facts.label_nation),
                lambda: rules.originator(sender, facts.label_nation),
            ),
        ]
        used = tuple(dict.fromkeys(a for r in results for a in r.agreements))
        results.append(self._memo("caveats", used, lambda: rules.caveats(self.compiled, used)))
        permit = all(r.outcome is not Outcome.FAILED for r in results)
        obligations = tuple(o for r in results for o in r.obligations)
        if permit and facts.recipient_marking:
            obligations = (f"mark and protect it as {facts.recipient_marking}", *obligations)
        return _Evaluated(
            permit=permit,
            reasons=tuple(results),
            dated=tuple(i for i, r in enumerate(results) if _DAY in r.message),
            agreements=used,
            obligations=obligations,
            recipient_label=facts.recipient_label,
            recipient_marking=facts.recipient_marking,
        )

    def _equivalence(
        self, sender: str, recipient: str, facts: _LabelFacts, day: dt.date
    ) -> RuleResult:
        if not facts.classified:
            return self._memo(
                "unclassified",
                facts.level,
                lambda: rules.equivalence(
                    self.compiled, sender, recipient, False, facts.level, day
                ),
            )
        entries = self.compiled.between(sender, recipient)
        intervals = tuple(e.status(day)[0] for e in entries)
        return self._memo(
            "equivalence",
            (sender, recipient, facts.level, intervals),
            lambda: rules.equivalence(self.compiled, sender, recipient, True, facts.level, day),
        )

    def read(self, label: Label, clearance: Clearance | None) -> Decision:
        """May a user of the label's own nation, holding ``clearance``, read it?"""
        try:
            policy: SecurityPolicy | None = self.policies.by_id(label.policy_id)
        except AccordError:
            policy = None
        result = rules.clearance(policy, label, clearance)
        return Decision(
            permit=result.outcome is Outcome.PASSED,
            reasons=(result,),
            agreements=(),
            obligations=(),
            register_version=self.compiled.version,
        )

    def channels(self, first: str, second: str, day: dt.date) -> tuple[CapabilityOpening, ...]:
        """Which capabilities are open between two nations on ``day``, under which agreements,
        until when."""
        return self.compiled.register.open_capabilities(first, second, day)


_DAY = "{day}"


def _on_day(template: RuleResult, day: str) -> RuleResult:
    return template._replace(message=template.message.replace(_DAY, day))


CAPABILITIES = tuple(c.value for c in Capability if c is not Capability.CLASSIFICATION_EQUIVALENCE)
