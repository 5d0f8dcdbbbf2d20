"""The words the register uses: lifecycle events, statuses, activities, capabilities."""

from __future__ import annotations

import re
from enum import StrEnum

from accord.errors import InvalidInput

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class EventKind(StrEnum):
    APPROVED = "approved"
    SIGNED = "signed"
    ENTERED_INTO_FORCE = "entered-into-force"
    AMENDED = "amended"
    NOTICE_GIVEN = "notice-given"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    EXPIRED = "expired"
    RENEWED = "renewed"
    TERMINATED = "terminated"

    @property
    def order(self) -> int:
        """Order among events on the same day: a term expires before it is renewed."""
        return list(EventKind).index(self)

    @property
    def opens_term(self) -> bool:
        return self in (EventKind.SIGNED, EventKind.ENTERED_INTO_FORCE, EventKind.RENEWED)


class Status(StrEnum):
    IN_FORCE = "in-force"
    NOT_YET_IN_FORCE = "not-yet-in-force"
    LAPSED = "lapsed"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    UNCERTAIN = "uncertain"
    #: The register does not know whether such an agreement exists (never in force).
    UNKNOWN = "unknown"


class Activity(StrEnum):
    """What an agreement's scope covers."""

    JOINT_EXERCISES = "joint-exercises"
    OPERATIONS = "operations"
    TRAINING = "training"
    BASING = "basing"
    EQUIPMENT = "equipment"
    PORT_CALLS = "port-calls"
    HUMANITARIAN_RELIEF = "humanitarian-relief"


class Capability(StrEnum):
    """The built-in capabilities the foundational agreements enable. Operator-defined agreement
    types may name others (any slug)."""

    CLASSIFIED_INFORMATION = "classified-information"
    CLASSIFICATION_EQUIVALENCE = "classification-equivalence"
    LOGISTICS_SUPPORT = "logistics-support"
    SECURE_COMMUNICATIONS = "secure-communications"
    COMSEC_EQUIPMENT = "comsec-equipment"
    GEOSPATIAL_INTELLIGENCE = "geospatial-intelligence"


def slug(text: str, what: str) -> str:
    value = text.strip()
    if not SLUG.match(value):
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise InvalidInput(
            f"invalid {what} '{shown}': use lower-case letters, digits and hyphens (2-64)"
        )
    return value


def activity(text: str) -> Activity:
    try:
        return Activity(text.strip().lower())
    except ValueError:
        known = ", ".join(a.value for a in Activity)
        raise InvalidInput(f"unknown activity '{text[:40]}': expected one of {known}") from None


def capability(text: str) -> Capability:
    """A capability a release asks for (classification equivalence is provided, not asked for)."""
    try:
        return Capability(text.strip().lower())
    except ValueError:
        known = ", ".join(c.value for c in Capability)
        raise InvalidInput(f"unknown capability '{text[:40]}': expected one of {known}") from None


def event_kind(text: str) -> EventKind:
    try:
        return EventKind(text.strip().lower())
    except ValueError:
        known = ", ".join(k.value for k in EventKind)
        raise InvalidInput(f"unknown event '{text[:40]}': expected one of {known}") from None
