"""An agreement's lifecycle: from its recorded events to the terms it ran and its status on
any day.

Conventions (docs/register.md):

* An event's date is the first day of the state it brings: ``signed 2005-10-01`` is in force on
  2005-10-01; ``expired 2020-10-01`` is no longer in force on 2020-10-01.
* A fixed term of length L that starts on S ends on S + L (the first day out of force).
* Dates are windows (:class:`~accord.agreements.dates.FuzzyDate`). A day that falls in the
  window of an event that changes the status is ``uncertain``: the record cannot say which side
  of the change it is on, and ``uncertain`` never counts as in force.

Invariants, checked by property tests: nothing is in force before the signing; the days in force
are exactly the days inside a term and outside a suspension.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from accord.agreements.dates import Duration, FuzzyDate
from accord.agreements.evidence import Grade, weakest
from accord.agreements.model import (
    UNSTATED_TERM,
    Agreement,
    EntryIntoForce,
    Event,
    TermKind,
    TermSpec,
)
from accord.agreements.vocabulary import EventKind, Status
from accord.errors import LifecycleError

#: Self-renewing terms are followed period by period for at most this many periods.
_MAX_PERIODS = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """The status changes to ``status`` on a day inside ``window``."""

    window: FuzzyDate
    status: Status
    term: int | None
    reason: str
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """One term: from its start up to (not including) its end."""

    index: int
    spec: TermSpec
    start: FuzzyDate
    end: FuzzyDate | None
    opened_by: Event
    end_reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    status: Status
    start: Transition | None
    end: Transition | None
    term: int | None

    def possibly_contains(self, day: dt.date) -> bool:
        after_start = self.start is None or self.start.window.earliest <= day
        before_end = self.end is None or day < self.end.window.latest
        return after_start and before_end

    def certainly_contains(self, day: dt.date) -> bool:
        after_start = self.start is None or self.start.window.latest <= day
        before_end = self.end is None or day < self.end.window.earliest
        return after_start and before_end


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """An agreement's status on a day, and what it rests on."""

    agreement_id: str
    day: dt.date
    status: Status
    term: Term | None
    since: FuzzyDate | None
    until: FuzzyDate | None
    events: tuple[Event, ...]
    explanation: str
    #: For ``uncertain``: the statuses the day may have, and the window that leaves it open.
    candidates: tuple[Status, ...] = ()
    window: FuzzyDate | None = None

    @property
    def in_force(self) -> bool:
        return self.status is Status.IN_FORCE

    @property
    def evidence(self) -> Grade | None:
        """The weakest grade among the events the status rests on (``None``: it rests on none,
        as "not yet in force" before any event)."""
        return weakest(e.grade for e in self.events)


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    agreement_id: str
    terms: tuple[Term, ...]
    segments: tuple[Segment, ...]

    def status_on(self, day: dt.date) -> StatusReport:
        possible = [s for s in self.segments if s.possibly_contains(day)]
        statuses = sorted({s.status for s in possible}, key=list(Status).index)
        if len(statuses) == 1:
            certain = [s for s in possible if s.certainly_contains(day)]
            return self._report(day, (certain or possible)[-1])
        return self._uncertain(day, possible, tuple(statuses))

    def term(self, index: int | None) -> Term | None:
        return self.terms[index - 1] if index else None

    def _report(self, day: dt.date, segment: Segment) -> StatusReport:
        start, end = segment.start, segment.end
        events = (start.events if start else ()) + (end.events if end else ())
        return StatusReport(
            agreement_id=self.agreement_id,
            day=day,
            status=segment.status,
            term=self.term(segment.term),
            since=start.window if start else None,
            until=end.window if end else None,
            events=_unique(events),
            explanation=_explain(segment),
        )

    def _uncertain(
        self, day: dt.date, possible: list[Segment], candidates: tuple[Status, ...]
    ) -> StatusReport:
        boundaries = [
            s.start for s in possible[1:] if s.start is not None and s.start.window.contains(day)
        ] or [s.start for s in possible[1:] if s.start is not None]
        window = FuzzyDate(
            min(b.window.earliest for b in boundaries), max(b.window.latest for b in boundaries)
        )
        reasons = "; ".join(b.reason for b in boundaries)
        term_index = next((b.term for b in boundaries if b.term), None)
        return StatusReport(
            agreement_id=self.agreement_id,
            day=day,
            status=Status.UNCERTAIN,
            term=self.term(term_index),
            since=None,
            until=None,
            events=_unique(tuple(e for b in boundaries for e in b.events)),
            explanation=(
                f"uncertain on {day}: {reasons}; the record does not say on which day of "
                f"{window}, so it may be {' or '.join(candidates)}"
            ),
            candidates=candidates,
            window=window,
        )


def build_timeline(agreement: Agreement) -> Timeline:
    """The agreement's terms and status segments; :class:`LifecycleError` for an impossible
    sequence of events."""
    return _Builder(agreement).run()


# --- building --------------------------------------------------------------------------------


@dataclass(slots=True)
class _OpenTerm:
    index: int
    spec: TermSpec
    start: FuzzyDate
    opened_by: Event
    scheduled_end: FuzzyDate | None
    scheduled_reason: str = ""
    notice: Event | None = None


class _Builder:
    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.transitions: list[Transition] = []
        self.terms: list[Term] = []
        self.open: _OpenTerm | None = None
        self.suspended: Event | None = None
        self.signed: Event | None = None
        self.terminated: Event | None = None
        #: The last term ended by running out, which an ``expired`` event may confirm.
        self.ran_out: int | None = None

    def run(self) -> Timeline:
        for event in self.agreement.ordered_events:
            self._close_if_ran_out(before=event.date)
            self._apply(event)
        self._close_if_ran_out(before=None)
        segments = self._segments()  # also files the term still running
        return Timeline(agreement_id=self.agreement.id, terms=tuple(self.terms), segments=segments)

    def _apply(self, event: Event) -> None:
        if self.terminated is not None:
            self._fail(
                event,
                f"it follows the termination {self.terminated.date}; a terminated "
                "agreement takes no further events (no renewal)",
            )
        if event.kind is EventKind.APPROVED:
            return
        if self.signed is None and event.kind is not EventKind.SIGNED:
            self._fail(event, "no event but an approval may come before the signing")
        handler = {
            EventKind.SIGNED: self._signed,
            EventKind.ENTERED_INTO_FORCE: self._entered_into_force,
            EventKind.AMENDED: lambda _e: None,
            EventKind.NOTICE_GIVEN: self._notice_given,
            EventKind.SUSPENDED: self._suspended,
            EventKind.RESUMED: self._resumed,
            EventKind.EXPIRED: self._expired,
            EventKind.RENEWED: self._renewed,
            EventKind.TERMINATED: self._terminated,
        }[event.kind]
        handler(event)

    # -- handlers --

    def _signed(self, event: Event) -> None:
        if self.signed is not None:
            self._fail(
                event,
                f"already signed {self.signed.date}; record 'renewed' for a new "
                "term or 'amended' for a change",
            )
        self.signed = event
        if self.agreement.entry_into_force is EntryIntoForce.ON_SIGNATURE:
            self._open_term(event, event.term or UNSTATED_TERM, "signed")

    def _entered_into_force(self, event: Event) -> None:
        if self.agreement.entry_into_force is EntryIntoForce.ON_SIGNATURE:
            self._fail(
                event,
                "the agreement entered into force on signature; set "
                "entry_into_force: on-event to record its entry into force",
            )
        if self.terms or self.open:
            self._fail(event, "it already entered into force")
        assert self.signed is not None
        self._open_term(
            event, event.term or self.signed.term or UNSTATED_TERM, "entered into force"
        )

    def _renewed(self, event: Event) -> None:
        if self.suspended is not None:
            self._fail(
                event, f"it is suspended since {self.suspended.date}; record 'resumed' first"
            )
        previous = self.open.spec if self.open else (self.terms[-1].spec if self.terms else None)
        if previous is None:
            self._fail(event, "it never entered into force, so there is no term to renew")
        assert previous is not None
        if self.open is not None:
            current = self.open
            end = event.date
            if current.scheduled_end is not None:
                end = FuzzyDate(
                    min(current.scheduled_end.earliest, event.date.earliest),
                    min(current.scheduled_end.latest, event.date.latest),
                )
            self._close(
                end,
                f"superseded by the renewal {event.date}",
                (event,),
                status=None if end == event.date else Status.LAPSED,
            )
        self._open_term(event, event.term or previous, "renewed")

    def _expired(self, event: Event) -> None:
        current = self.open
        if current is None:
            self._confirm_run_out(event)
            return
        spec = current.spec
        if current.scheduled_end is not None:
            end = current.scheduled_end.intersection(event.date)
            if end is None:
                self._fail(
                    event,
                    f"its {spec.describe()} from {current.start} runs until "
                    f"{current.scheduled_end}; record 'terminated' for an early end",
                )
            assert end is not None
            self._close(
                end, f"expired {end} at the {current.scheduled_reason}", (current.opened_by, event)
            )
            return
        if spec.kind is TermKind.SELF_RENEWING:
            self._fail(
                event,
                "a self-renewing term renews itself unless notice is given; "
                "record 'notice-given' first",
            )
        if spec.kind is TermKind.OPEN_ENDED and current.notice is None:
            self._fail(
                event,
                "an open-ended term cannot expire without notice; record "
                "'notice-given' first, or 'terminated'",
            )
        self._close(event.date, f"expired {event.date}", (event,))

    def _confirm_run_out(self, event: Event) -> None:
        """An ``expired`` event after a fixed term ran out confirms (and may narrow) its end."""
        last = self.terms[-1] if self.terms else None
        window = last.end.intersection(event.date) if last and last.end else None
        if last is None or self.ran_out != last.index or window is None:
            since = f" (not in force since {last.end})" if last and last.end else ""
            self._fail(event, f"it was not in force then{since}")
        assert last is not None
        assert window is not None
        self.terms[-1] = replace(last, end=window)
        previous = self.transitions[-1]
        self.transitions[-1] = replace(
            previous,
            window=window,
            reason=f"expired {window}, {last.end_reason}",
            events=_unique((*previous.events, event)),
        )

    def _suspended(self, event: Event) -> None:
        if self.open is None:
            self._fail(event, "it was not in force then")
        if self.suspended is not None:
            self._fail(event, f"it is already suspended since {self.suspended.date}")
        assert self.open is not None
        self.suspended = event
        self._transition(
            event.date, Status.SUSPENDED, self.open.index, f"suspended {event.date}", (event,)
        )

    def _resumed(self, event: Event) -> None:
        if self.suspended is None or self.open is None:
            self._fail(event, "it was not suspended then")
        assert self.open is not None
        self.suspended = None
        self._transition(
            event.date, Status.IN_FORCE, self.open.index, f"resumed {event.date}", (event,)
        )

    def _terminated(self, event: Event) -> None:
        self.terminated = event
        if self.open is not None:
            self._close(event.date, f"terminated {event.date}", (event,), status=None)
        self._transition(
            event.date,
            Status.TERMINATED,
            self.terms[-1].index if self.terms else None,
            f"terminated {event.date}",
            (event,),
        )

    def _notice_given(self, event: Event) -> None:
        current = self.open
        if current is None:
            self._fail(event, "no term was running to give notice on")
        assert current is not None
        if current.notice is not None:
            return  # the first notice already decides the end
        current.notice = event
        if current.spec.kind is TermKind.SELF_RENEWING:
            assert current.spec.length is not None
            assert current.spec.notice is not None
            first = _period_end_after_notice(
                current.start.earliest,
                current.spec.length,
                current.spec.notice,
                event.date.earliest,
            )
            last = _period_end_after_notice(
                current.start.latest, current.spec.length, current.spec.notice, event.date.latest
            )
            current.scheduled_end = FuzzyDate(first, max(first, last))
            current.scheduled_reason = f"end of the period after notice given {event.date}"

    # -- mechanics --

    def _open_term(self, event: Event, spec: TermSpec, verb: str) -> None:
        index = len(self.terms) + 1
        end: FuzzyDate | None = None
        reason = ""
        if spec.kind is TermKind.FIXED:
            assert spec.length is not None
            end = event.date.shifted(spec.length)
            reason = f"end of the {spec.describe()} from {event.date}"
        self.open = _OpenTerm(
            index=index,
            spec=spec,
            start=event.date,
            opened_by=event,
            scheduled_end=end,
            scheduled_reason=reason,
        )
        self.ran_out = None
        self._transition(
            event.date, Status.IN_FORCE, index, f"{verb} {event.date} {spec.phrase()}", (event,)
        )

    def _close_if_ran_out(self, *, before: FuzzyDate | None) -> None:
        current = self.open
        if current is None or current.scheduled_end is None:
            return
        end = current.scheduled_end
        if before is not None and end.latest > before.earliest:
            return
        self._close(end, f"the {current.scheduled_reason}", (current.opened_by,))
        self.ran_out = current.index

    def _close(
        self,
        end: FuzzyDate,
        reason: str,
        events: tuple[Event, ...],
        status: Status | None = Status.LAPSED,
    ) -> None:
        current = self.open
        assert current is not None
        self.terms.append(
            Term(
                index=current.index,
                spec=current.spec,
                start=current.start,
                end=end,
                opened_by=current.opened_by,
                end_reason=reason,
            )
        )
        self.open = None
        self.suspended = None
        self.ran_out = None
        if status is not None:
            self._transition(end, status, current.index, reason, events)

    def _transition(
        self,
        window: FuzzyDate,
        status: Status,
        term: int | None,
        reason: str,
        events: tuple[Event, ...],
    ) -> None:
        self.transitions.append(
            Transition(window=window, status=status, term=term, reason=reason, events=events)
        )

    def _segments(self) -> tuple[Segment, ...]:
        if self.open is not None:
            self.terms.append(
                Term(
                    index=self.open.index,
                    spec=self.open.spec,
                    start=self.open.start,
                    end=None,
                    opened_by=self.open.opened_by,
                )
            )
            self.open = None
        starts: list[Transition | None] = [None, *self.transitions]
        segments = []
        for position, start in enumerate(starts):
            end = self.transitions[position] if position < len(self.transitions) else None
            segments.append(
                Segment(
                    status=start.status if start else Status.NOT_YET_IN_FORCE,
                    start=start,
                    end=end,
                    term=start.term if start else None,
                )
            )
        return tuple(segments)

    def _fail(self, event: Event, why: str) -> None:
        raise LifecycleError(f"{self.agreement.id}: '{event.describe()}' is not possible: {why}")


def _period_end_after_notice(
    start: dt.date, period: Duration, notice: Duration, notice_day: dt.date
) -> dt.date:
    """The end of the first period that notice given on ``notice_day`` still stops."""
    for k in range(1, _MAX_PERIODS + 1):
        end = Duration(period.years * k, period.months * k, period.days * k).add_to(start)
        if notice.subtract_from(end) >= notice_day:
            return end
    raise LifecycleError(f"notice given {notice_day} lies more than {_MAX_PERIODS} periods on")


def _unique(events: tuple[Event, ...]) -> tuple[Event, ...]:
    seen: list[Event] = []
    for event in events:
        if event not in seen:
            seen.append(event)
    return tuple(seen)


def _explain(segment: Segment) -> str:
    start, end = segment.start, segment.end
    words = {
        Status.IN_FORCE: "in force",
        Status.SUSPENDED: "suspended",
        Status.LAPSED: "lapsed",
        Status.TERMINATED: "terminated",
        Status.NOT_YET_IN_FORCE: "not yet in force",
    }[segment.status]
    text = words if start is None else f"{words} since {start.window} ({start.reason})"
    if end is None:
        if segment.status is Status.IN_FORCE:
            text += ", with no end date recorded"
        elif segment.status is Status.LAPSED:
            text += "; not renewed"
        return text
    if segment.status in (Status.IN_FORCE, Status.SUSPENDED):
        return f"{text} until {end.window} ({end.reason})"
    return f"{text}; then {end.reason}"
