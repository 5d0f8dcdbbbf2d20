"""Evidence grades: how a fact is known (DOMAIN.md section 1), and which facts count.

A register's facts come mostly from the press, not from official texts. Each event, designation
and transfer case event carries a grade; a *reading* of the record names the weakest grade that
counts (the node's ``ACCORD_EVIDENCE``, ``--evidence`` on a query): ``reported`` (the default, the
seeds' reading) counts official and reported facts; ``official`` shows what an official-only
reading leaves in force.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Grade(enum.StrEnum):
    """Strongest first."""

    #: A government text or statement (a treaty series entry, a joint statement, a rule).
    OFFICIAL = "official"
    #: Named press reports.
    REPORTED = "reported"
    #: One analysis or backgrounder, not a report of the event.
    SECONDARY = "secondary"
    #: Deduced from other facts (a date or a term).
    INFERRED = "inferred"

    @property
    def rank(self) -> int:
        """0 for official, 3 for inferred."""
        return _ORDER.index(self)

    def counts_under(self, weakest: Grade) -> bool:
        """Whether a fact of this grade counts under a reading that counts down to ``weakest``."""
        return self.rank <= weakest.rank


_ORDER = list(Grade)
#: The reading a node uses unless told otherwise: official and reported facts count.
DEFAULT_READING = Grade.REPORTED


def weakest(grades: Iterable[Grade]) -> Grade | None:
    """The weakest of ``grades``, or None when there are none."""
    found = list(grades)
    return max(found, key=lambda g: g.rank) if found else None
