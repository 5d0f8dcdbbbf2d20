"""Accord and Cedar (cedarpy) give the same permit or deny on 10,000 seeded random requests.

The Cedar policy set is generated from the register and the security policies
(accord.policy.cedar), not written per case; the requests come from a seeded generator over
nations, days from 2000 to 2035, labels, capabilities, activities and clearances."""

from __future__ import annotations

import functools

import cedarpy

from accord.agreements.dates import FuzzyDate
from accord.agreements.model import Event
from accord.agreements.public_record import public_record
from accord.agreements.vocabulary import EventKind
from accord.policy import cedar
from accord.policy.engine import PolicyEngine
from accord.policy.samples import random_requests

NATIONS = ("USA", "PAK", "IND")


@functools.cache
def engine() -> PolicyEngine:
    return PolicyEngine(public_record())


def test_accord_and_cedar_agree_on_ten_thousand_random_requests() -> None:
    policies = cedarpy.PolicySet.from_str(cedar.policy_set(engine(), NATIONS))
    entities = cedarpy.Entities.from_json_str("[]")
    requests = random_requests(engine(), NATIONS, 10_000, seed=2026)
    answers = cedarpy.is_authorized_batch(
        [cedar.context(engine(), r) for r in requests], policies, entities
    )
    decisions = [engine().decide(r) for r in requests]
    disagreements = [
        (request, decision.explain())
        for request, decision, answer in zip(requests, decisions, answers, strict=True)
        if decision.permit is not answer.allowed
    ]
    assert not disagreements, disagreements[:3]
    permits = sum(d.permit for d in decisions)
    assert 100 < permits < 9_900, "the workload must exercise both outcomes"


def test_the_generated_policy_set_parses_and_changes_with_the_register() -> None:

    register = public_record()
    text = cedar.policy_set(engine(), NATIONS)
    assert cedarpy.PolicySet.from_str(text)
    ended = register.get("ind-usa-beca").with_event(
        Event(kind=EventKind.TERMINATED, date=FuzzyDate.parse("2030-01-01"))
    )
    changed = cedar.policy_set(PolicyEngine(register.with_agreement(ended)), NATIONS)
    assert changed != text
