"""The node's label reader for the API: a label as a request gives it (a US-style banner or the
JSON form), read against the policies the node's engine holds (the shipped national policies, or
the ones the node was given). The CLI's ``--label`` (a banner or a label file) is read by
``accord.cli.label_values`` under ``policy_of`` below.

A banner names no policy: it is read under the policy of the nation that writes it (the node's
own nation for a release; ``--from`` for a what-if decision), taken from the engine's policies
first and the shipped ones otherwise. A document or the JSON form names its own policy, which
must be one the engine knows, with every category in it.
"""

from __future__ import annotations

from typing import Any

from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.json_form import label_from_dict
from accord.labels.label import Label
from accord.labels.national import national_policy
from accord.labels.reading import checked
from accord.labels.security_policy import SecurityPolicy
from accord.policy.engine import PolicyEngine


def policy_of(engine: PolicyEngine, nation: str) -> SecurityPolicy:
    """The policy a banner written by ``nation`` is read under."""
    found = engine.policy_of_nation(nation)
    return found if found is not None else national_policy(nation)


def label_from_banner(engine: PolicyEngine, banner: str, *, nation: str) -> Label:
    return banner_to_label(parse_banner(banner), policy_of(engine, nation))


def label_from_json(engine: PolicyEngine, value: Any) -> Label:
    return checked(label_from_dict(value), engine.policies)
