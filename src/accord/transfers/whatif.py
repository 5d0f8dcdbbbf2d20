"""What-if: the register with an agreement's event added or removed (a renewal a year earlier, a
lapse avoided), for the coverage check to answer again.

PURE. A change is written as an operator would say it: ``AGREEMENT EVENT DATE [TERM]``, e.g.
``pak-usa-cismoa renewed 2022-08 15y`` (add) or ``pak-usa-cismoa expired 2020-10`` (remove). The
changed register is validated like any other: an impossible lifecycle is refused with the reason.
An added event is hypothetical: it counts under every reading of the evidence (it is what the
question supposes), and it says so in its note.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from accord.agreements.dates import FuzzyDate
from accord.agreements.evidence import Grade
from accord.agreements.model import Event, TermSpec
from accord.agreements.register import Register
from accord.agreements.vocabulary import EventKind, event_kind
from accord.errors import InvalidInput

HYPOTHETICAL = "what-if: a hypothetical event, not a fact of the record"


class Action(enum.StrEnum):
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    action: Action
    agreement: str
    event: EventKind
    date: FuzzyDate
    term: TermSpec | None = None

    def describe(self) -> str:
        term = f" for {self.term}" if self.term else ""
        return f"{self.action.value} {self.agreement} {self.event.value} {self.date}{term}"


def parse_change(text: str, action: Action) -> Change:
    """``AGREEMENT EVENT DATE [TERM]``; the field named in an error is the option's."""
    where = f"--{action.value}"
    parts = text.split()
    if not 3 <= len(parts) <= 4 or (action is Action.REMOVE and len(parts) != 3):
        shape = "AGREEMENT EVENT DATE" + (" [TERM]" if action is Action.ADD else "")
        raise InvalidInput(f"write a change as '{shape}'", field=where)
    agreement, event, date = parts[:3]
    try:
        return Change(
            action=action,
            agreement=agreement,
            event=event_kind(event),
            date=FuzzyDate.parse(date),
            term=TermSpec.parse(parts[3]) if len(parts) == 4 else None,
        )
    except InvalidInput as e:
        raise e.at(field_prefix=where) from None


def changed(register: Register, changes: list[Change]) -> Register:
    """``register`` with every change applied in order (each validated as it is applied)."""
    for change in changes:
        agreement = register.get(change.agreement)
        if change.action is Action.ADD:
            event = Event(
                kind=change.event,
                date=change.date,
                term=change.term,
                grade=Grade.OFFICIAL,
                note=HYPOTHETICAL,
            )
            events = (*agreement.events, event)
        else:
            events = tuple(
                e
                for e in agreement.events
                if not (e.kind is change.event and e.date == change.date)
            )
            if len(events) == len(agreement.events):
                raise InvalidInput(
                    f"{agreement.id} has no '{change.event.value} {change.date}' event to remove",
                    field="--remove",
                )
        try:
            register = register.with_agreement(replace(agreement, events=events))
        except InvalidInput as e:
            raise InvalidInput(f"{change.describe()}: {e.reason}") from None
    return register
