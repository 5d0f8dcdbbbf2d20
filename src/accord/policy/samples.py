"""Seeded random release requests: the workload of the Cedar agreement test and the benchmark."""

from __future__ import annotations

import datetime as dt
import random

from accord.agreements.vocabulary import Activity, Capability
from accord.labels.label import Label
from accord.policy.clearances import national_clearance
from accord.policy.engine import PolicyEngine
from accord.policy.model import ReleaseRequest
from accord.policy.rules import NATIONAL_CAVEAT


def random_requests(
    engine: PolicyEngine, nations: tuple[str, ...], count: int, seed: int
) -> list[ReleaseRequest]:
    """Seeded random requests: nation pairs, days 2000-2035, labels under the sender's policy
    (levels, REL TO lists with and without the recipient, groups, national caveats),
    capabilities, activities, and clearances of the recipient (or none)."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    capabilities = [c.value for c in Capability if c is not Capability.CLASSIFICATION_EQUIVALENCE]
    activities = [a.value for a in Activity]
    start = dt.date(2000, 1, 1).toordinal()
    span = dt.date(2035, 12, 31).toordinal() - start
    requests = []
    for _ in range(count):
        sender, recipient = rng.sample(nations, 2)
        policy = engine.policy_of_nation(sender)
        target = engine.policy_of_nation(recipient)
        assert policy is not None
        assert target is not None
        day = dt.date.fromordinal(start + rng.randrange(span))
        levels = policy.by_hierarchy()
        classification = rng.choice(levels)
        refs = set()
        values = {c.name: c for t in policy.tag_sets for tag in t.tags for c in tag.categories}
        roll = rng.random()
        if roll < 0.1:
            caveat = next(c for c in values.values() if c.tag_set_name == NATIONAL_CAVEAT)
            refs.add(caveat.ref)
        elif roll < 0.85 and not (sender == "USA" and classification == levels[0]):
            chosen = {sender}
            pool = ["USA", "PAK", "IND", "GBR", "AUS", "NATO", "FVEY"]
            chosen.update(rng.sample(pool, rng.randrange(0, 4)))
            refs.update(values[name].ref for name in chosen if name in values)
        label = Label(
            policy_id=policy.id, classification=classification.lacv, categories=frozenset(refs)
        )
        clearance = None
        if rng.random() < 0.95:
            clearance = national_clearance(
                target, rng.choice(target.by_hierarchy()).name, recipient, day
            )
        requests.append(
            ReleaseRequest(
                sender=sender,
                recipient=recipient,
                label=label,
                capability=rng.choice(capabilities),
                activity=rng.choice(activities),
                day=day,
                clearance=clearance,
            )
        )
    return requests
