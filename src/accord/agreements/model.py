"""Agreements and the facts recorded about them.

Every value is frozen and validated when it is made, so a register can only hold well-formed
facts. Lifecycle rules (what may follow what) live in :mod:`accord.agreements.lifecycle`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from enum import StrEnum

from accord.agreements.dates import Duration, FuzzyDate
from accord.agreements.evidence import DEFAULT_READING, Grade
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import Activity, EventKind, slug
from accord.errors import InvalidInput

MAX_TEXT = 2000
MAX_TITLE = 300
MAX_URL = 2048
MAX_EVENTS = 1000
MAX_PARTIES = 64
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def text(value: str, what: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    stripped = value.strip()
    if required and not stripped:
        raise InvalidInput(f"{what} must not be empty")
    if len(stripped) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in stripped):
        raise InvalidInput(f"{what} contains control characters")
    return stripped


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where a fact comes from. Every event, designation and milestone names at least one."""

    id: str
    title: str
    publisher: str = ""
    url: str | None = None
    date: FuzzyDate | None = None

    def __post_init__(self) -> None:
        slug(self.id, "source id")
        text(self.title, "source title", limit=MAX_TITLE, required=True)
        text(self.publisher, "publisher", limit=MAX_TITLE)
        if self.url is not None and (len(self.url) > MAX_URL or not _URL.match(self.url)):
            raise InvalidInput(f"invalid source URL '{self.url[:60]}': expected http(s)://...")


@dataclass(frozen=True, slots=True, kw_only=True)
class Signatory:
    organisation: str
    nation: str

    def __post_init__(self) -> None:
        text(self.organisation, "signatory organisation", limit=MAX_TITLE, required=True)
        if nation_code(self.nation) != self.nation:
            raise InvalidInput(f"nation '{self.nation}' must be upper-case alpha-3")


@dataclass(frozen=True, slots=True, kw_only=True)
class Caveat:
    """A handling condition of the agreement (``no-onward-transfer-without-consent``).

    ``survives_end``: the obligation continues after the agreement ends (a GSOMIA's "all CMI
    provided shall continue to be protected").
    """

    code: str
    text: str = ""
    survives_end: bool = False

    def __post_init__(self) -> None:
        slug(self.code, "caveat code")
        text(self.text, "caveat text")


class TermKind(StrEnum):
    FIXED = "fixed"
    OPEN_ENDED = "open-ended"
    SELF_RENEWING = "self-renewing"
    #: The sources do not say how long the agreement runs: it ends only by a recorded event.
    UNSTATED = "unstated"


@dataclass(frozen=True, slots=True, kw_only=True)
class TermSpec:
    """How long a term runs.

    Text forms: ``15y`` (fixed), ``open-ended``, ``unstated``, and
    ``self-renewing 1y notice 90d`` (renews every period unless notice is given that long
    before the period ends).
    """

    kind: TermKind
    length: Duration | None = None
    notice: Duration | None = None

    def __post_init__(self) -> None:
        needs_length = self.kind in (TermKind.FIXED, TermKind.SELF_RENEWING)
        if needs_length != (self.length is not None):
            raise InvalidInput(f"a {self.kind} term {'needs' if needs_length else 'has no'} length")
        if (self.kind is TermKind.SELF_RENEWING) != (self.notice is not None):
            raise InvalidInput("only a self-renewing term has a notice period, and it needs one")

    @classmethod
    def parse(cls, value: str) -> TermSpec:
        words = value.strip().lower().split()
        if words == ["open-ended"]:
            return cls(kind=TermKind.OPEN_ENDED)
        if words == ["unstated"]:
            return cls(kind=TermKind.UNSTATED)
        if len(words) == 4 and words[0] == "self-renewing" and words[2] == "notice":
            return cls(
                kind=TermKind.SELF_RENEWING,
                length=Duration.parse(words[1]),
                notice=Duration.parse(words[3]),
            )
        if len(words) == 1:
            try:
                return cls(kind=TermKind.FIXED, length=Duration.parse(words[0]))
            except InvalidInput:
                pass
        raise InvalidInput(
            f"invalid term '{value[:60]}': expected a length (15y), open-ended, unstated, "
            "or 'self-renewing 1y notice 90d'"
        )

    def describe(self) -> str:
        if self.kind is TermKind.FIXED:
            assert self.length is not None
            return f"{self.length.describe()} term"
        if self.kind is TermKind.SELF_RENEWING:
            assert self.length is not None
            assert self.notice is not None
            return (
                f"{self.length.describe()} term renewed unless notice is given "
                f"{self.notice.describe().replace('-', ' ')}s before it ends"
            )
        if self.kind is TermKind.OPEN_ENDED:
            return "open-ended term"
        return "term of unstated length"

    def phrase(self) -> str:
        """How a term reads after the event that opened it: 'signed 2005-10 for a 15-year
        term'."""
        if self.kind is TermKind.UNSTATED:
            return "with no term stated"
        if self.kind is TermKind.OPEN_ENDED:
            return "with no end date (open-ended)"
        return f"for a {self.describe()}"

    def __str__(self) -> str:
        if self.kind is TermKind.FIXED:
            return str(self.length)
        if self.kind is TermKind.SELF_RENEWING:
            return f"self-renewing {self.length} notice {self.notice}"
        return self.kind.value


UNSTATED_TERM = TermSpec(kind=TermKind.UNSTATED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A dated fact in an agreement's life. ``term`` goes with events that open a term
    (signed, entered-into-force, renewed)."""

    kind: EventKind
    date: FuzzyDate
    sources: tuple[str, ...] = ()
    term: TermSpec | None = None
    note: str = ""
    #: How the event is known (``accord.agreements.evidence``).
    grade: Grade = DEFAULT_READING

    def __post_init__(self) -> None:
        if self.term is not None and not self.kind.opens_term:
            raise InvalidInput(f"a '{self.kind}' event opens no term, so it takes no term")
        text(self.note, "note")
        for source_id in self.sources:
            slug(source_id, "source id")

    @property
    def sort_key(self) -> tuple[object, ...]:
        return (self.date.earliest, self.date.latest, self.kind.order)

    def describe(self) -> str:
        return f"{self.kind} {self.date}"


class EntryIntoForce(StrEnum):
    #: The first term starts on the day of signature (the MOAs in the public record).
    ON_SIGNATURE = "on-signature"
    #: The first term starts at a recorded ``entered-into-force`` event (ratification).
    ON_EVENT = "on-event"


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    id: str
    type: str
    parties: tuple[str, ...]
    title: str = ""
    signatories: tuple[Signatory, ...] = ()
    #: Activities the agreement covers; empty means the record names no scope (covers all).
    scope: frozenset[Activity] = frozenset()
    caveats: tuple[Caveat, ...] = ()
    #: Capabilities the record says this agreement provides beyond those of its type.
    extra_capabilities: frozenset[str] = frozenset()
    entry_into_force: EntryIntoForce = EntryIntoForce.ON_SIGNATURE
    events: tuple[Event, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        slug(self.id, "agreement id")
        text(self.title, "title", limit=MAX_TITLE)
        text(self.note, "note")
        if len(self.parties) < 2:
            raise InvalidInput("an agreement needs two or more parties", field="parties")
        if len(self.parties) > MAX_PARTIES:
            raise InvalidInput(f"more than {MAX_PARTIES} parties", field="parties")
        if len(set(self.parties)) != len(self.parties):
            raise InvalidInput("a party is named twice", field="parties")
        if tuple(sorted(self.parties)) != self.parties:
            raise InvalidInput("parties must be sorted", field="parties")
        for party in self.parties:
            if nation_code(party) != party:
                raise InvalidInput(f"nation '{party}' must be upper-case alpha-3", field="parties")
        for index, signatory in enumerate(self.signatories):
            if signatory.nation not in self.parties:
                raise InvalidInput(
                    f"{signatory.nation} signs but is not a party",
                    field=f"signatories[{index}].nation",
                )
        for capability in self.extra_capabilities:
            slug(capability, "capability")
        if len(self.events) > MAX_EVENTS:
            raise InvalidInput(f"more than {MAX_EVENTS} events", field="events")
        codes = [c.code for c in self.caveats]
        if len(set(codes)) != len(codes):
            raise InvalidInput("a caveat is named twice", field="caveats")

    @property
    def ordered_events(self) -> tuple[Event, ...]:
        return tuple(sorted(self.events, key=lambda e: e.sort_key))

    def covers(self, activity: Activity) -> bool:
        """An agreement whose record names no scope covers every activity."""
        return not self.scope or activity in self.scope

    def with_event(self, event: Event) -> Agreement:
        return replace(self, events=(*self.events, event))


@dataclass(frozen=True, slots=True, kw_only=True)
class Designation:
    """A status one nation gives another (the US designated Pakistan a major non-NATO ally in
    2004 and India a Major Defense Partner in 2016)."""

    nation: str
    by: str
    title: str
    date: FuzzyDate
    sources: tuple[str, ...]
    grade: Grade = DEFAULT_READING

    def __post_init__(self) -> None:
        nation_code(self.nation)
        nation_code(self.by)
        text(self.title, "designation title", limit=MAX_TITLE, required=True)
        if not self.sources:
            raise InvalidInput("a designation needs a source", field="sources")


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    """A dated fact about the relationship that is not an agreement event (assistance suspended,
    a dialogue held)."""

    nations: tuple[str, ...]
    date: FuzzyDate
    text: str
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        for nation in self.nations:
            nation_code(nation)
        text(self.text, "milestone text", required=True)
        if not self.sources:
            raise InvalidInput("a milestone needs a source", field="sources")


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownAgreement:
    """What the register does not know: whether an agreement of ``type`` exists between
    ``parties`` (public sources neither show one nor rule it out). A query that needs such an
    agreement answers ``unknown``, never in force, and distinct from "no such agreement"."""

    type: str
    parties: tuple[str, ...]
    reason: str
    sources: tuple[str, ...]
    grade: Grade = DEFAULT_READING

    def __post_init__(self) -> None:
        if len(self.parties) != 2 or self.parties[0] == self.parties[1]:
            raise InvalidInput("an unknown agreement names two different nations", field="parties")
        if tuple(sorted(self.parties)) != self.parties:
            raise InvalidInput("parties must be sorted", field="parties")
        for party in self.parties:
            if nation_code(party) != party:
                raise InvalidInput(f"nation '{party}' must be upper-case alpha-3", field="parties")
        text(self.reason, "reason", required=True)
        if not self.sources:
            raise InvalidInput("an unknown needs a source for why it is unknown", field="sources")
        for source_id in self.sources:
            slug(source_id, "source id")


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    """A dated measure one nation takes towards another that changes what may be transferred
    (the 2018 suspension of US security assistance to Pakistan). ``kind`` is a slug rules test
    for (``security-assistance-suspended``); ``end`` is ``None`` while it is not known to have
    ended."""

    nation: str
    by: str
    kind: str
    title: str
    start: FuzzyDate
    sources: tuple[str, ...]
    end: FuzzyDate | None = None
    grade: Grade = DEFAULT_READING

    def __post_init__(self) -> None:
        nation_code(self.nation)
        nation_code(self.by)
        slug(self.kind, "measure kind")
        text(self.title, "measure title", limit=MAX_TITLE, required=True)
        if self.end is not None and self.end.latest < self.start.earliest:
            raise InvalidInput("a measure ends before it starts", field="end")
        if not self.sources:
            raise InvalidInput("a measure needs a source", field="sources")
        for source_id in self.sources:
            slug(source_id, "source id")

    def active_on(self, day: dt.date) -> bool:
        """Certainly in effect on ``day`` (a measure whose start or end window holds the day is
        not certainly in effect; rules that block on it treat that as in effect, see callers)."""
        return self.start.latest <= day and (self.end is None or day < self.end.earliest)

    def possibly_on(self, day: dt.date) -> bool:
        return self.start.earliest <= day and (self.end is None or day <= self.end.latest)
