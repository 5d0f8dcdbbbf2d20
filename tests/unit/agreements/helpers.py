from accord.agreements.dates import FuzzyDate
from accord.agreements.model import Agreement, EntryIntoForce, Event, TermSpec
from accord.agreements.vocabulary import EventKind


def event(kind: str, date: str, term: str | None = None) -> Event:
    return Event(
        kind=EventKind(kind),
        date=FuzzyDate.parse(date),
        term=TermSpec.parse(term) if term else None,
    )


def agreement(
    *events: Event, entry: EntryIntoForce = EntryIntoForce.ON_SIGNATURE, type_: str = "CISMOA"
) -> Agreement:
    return Agreement(
        id="test-agreement",
        type=type_,
        parties=("PAK", "USA"),
        events=events,
        entry_into_force=entry,
    )
