"""The security policies shipped with Accord: USA, PAK, IND and NATO (XML-SPIF, package data).

They are written by the Accord team (scripts/generate-national-policies), not issued by any
government: each nation's level names and marking style, REL TO and national-only caveats,
and equivalences between them. Policy OIDs are fictional (under 2.25) except NATO's.
"""

from __future__ import annotations

import functools
from importlib import resources

from accord.errors import NotFound
from accord.labels.security_policy import PolicySet, SecurityPolicy
from accord.labels.spif import load_policy

SHIPPED = ("USA", "PAK", "IND", "NATO")


def shipped_policy_bytes(name: str) -> bytes:
    if name not in SHIPPED:
        raise NotFound(f"Accord ships no policy {name!r}; it ships {', '.join(SHIPPED)}")
    return resources.files("accord.labels").joinpath("data", f"{name.lower()}.xml").read_bytes()


@functools.cache
def shipped_policies() -> PolicySet:
    return PolicySet(tuple(load_policy(shipped_policy_bytes(n)).policy for n in SHIPPED))


def national_policy(nation: str) -> SecurityPolicy:
    """The shipped policy of a nation (``USA``, ``PAK``, ``IND``) or of ``NATO``."""
    return shipped_policies().resolve(nation.upper())
