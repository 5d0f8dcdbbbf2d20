"""The node's users as the policy sees them: a role, and for officers a clearance (a level of the
national policy and the categories held), read under the national policy on a day."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from accord.labels.label import Clearance
from accord.labels.security_policy import SecurityPolicy
from accord.policy.clearances import national_clearance


class Role(enum.StrEnum):
    OFFICER = "officer"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    #: Reads the register, its timelines, the channels and the alerts (defence-cooperation
    #: analysis): no message, no log entry, no user or peer.
    ANALYST = "analyst"


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    name: str
    role: Role
    clearance: str | None
    categories: tuple[str, ...]
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role.value,
            "clearance": self.clearance,
            "categories": list(self.categories),
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }

    def clearance_under(
        self, policy: SecurityPolicy, nation: str, day: dt.date
    ) -> Clearance | None:
        if self.clearance is None:
            return None
        return national_clearance(policy, self.clearance, nation, day, self.categories)
