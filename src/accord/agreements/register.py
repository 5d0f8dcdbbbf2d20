"""The register: every agreement a node knows, with the catalog, sources and context, and the
queries a release decision starts from.

A :class:`Register` is only ever made valid: every agreement's type resolves, its lifecycle is
possible, and every source it cites exists. Timelines are computed once, when it is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from accord.agreements.catalog import AgreementType, Catalog
from accord.agreements.dates import FuzzyDate
from accord.agreements.evidence import Grade
from accord.agreements.lifecycle import StatusReport, Timeline, build_timeline
from accord.agreements.model import (
    Agreement,
    Designation,
    Event,
    Measure,
    Milestone,
    Source,
    UnknownAgreement,
)
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import Activity, EventKind
from accord.errors import InvalidInput, NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class CapabilityOpening:
    """A capability open between two nations on a day, through which agreements, until when
    (``None``: no end date recorded)."""

    capability: str
    agreements: tuple[str, ...]
    until: FuzzyDate | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Expiry:
    agreement: Agreement
    report: StatusReport
    days_left: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Register:
    catalog: Catalog = field(default_factory=Catalog.with_custom)
    agreements: tuple[Agreement, ...] = ()
    sources: tuple[Source, ...] = ()
    designations: tuple[Designation, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    unknowns: tuple[UnknownAgreement, ...] = ()
    measures: tuple[Measure, ...] = ()
    _timelines: dict[str, Timeline] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, Agreement] = field(init=False, repr=False, compare=False)
    _readings: dict[Grade, Register] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A canonical order, so that equal registers compare equal and print the same.
        object.__setattr__(self, "agreements", tuple(sorted(self.agreements, key=lambda a: a.id)))
        object.__setattr__(self, "sources", tuple(sorted(self.sources, key=lambda s: s.id)))
        object.__setattr__(
            self,
            "designations",
            tuple(sorted(self.designations, key=lambda d: (d.date, d.nation, d.by, d.title))),
        )
        object.__setattr__(
            self,
            "milestones",
            tuple(sorted(self.milestones, key=lambda m: (m.date, m.nations, m.text))),
        )
        source_ids = [s.id for s in self.sources]
        if len(set(source_ids)) != len(source_ids):
            raise InvalidInput("a source id is used twice", field="sources")
        known_sources = set(source_ids)
        by_id: dict[str, Agreement] = {}
        timelines: dict[str, Timeline] = {}
        for index, agreement in enumerate(self.agreements):
            where = f"agreements[{index}]"
            if agreement.id in by_id:
                raise InvalidInput(f"agreement id '{agreement.id}' is used twice", field=where)
            resolved = self.catalog.resolve(agreement.type)
            if resolved.code != agreement.type:
                raise InvalidInput(
                    f"type must be the canonical code {resolved.code}", field=f"{where}.type"
                )
            for event_index, event in enumerate(agreement.events):
                _check_sources(event.sources, known_sources, f"{where}.events[{event_index}]")
            by_id[agreement.id] = agreement
            try:
                timelines[agreement.id] = build_timeline(agreement)
            except InvalidInput as e:
                raise e.at(field_prefix=f"{where}.events") from None
        for index, designation in enumerate(self.designations):
            _check_sources(designation.sources, known_sources, f"designations[{index}]")
        for index, milestone in enumerate(self.milestones):
            _check_sources(milestone.sources, known_sources, f"milestones[{index}]")
        object.__setattr__(
            self,
            "measures",
            tuple(sorted(self.measures, key=lambda m: (m.start, m.nation, m.by, m.kind))),
        )
        for index, measure in enumerate(self.measures):
            _check_sources(measure.sources, known_sources, f"measures[{index}]")
        object.__setattr__(
            self, "unknowns", tuple(sorted(self.unknowns, key=lambda u: (u.parties, u.type)))
        )
        seen_unknowns: set[tuple[str, tuple[str, ...]]] = set()
        for index, unknown in enumerate(self.unknowns):
            where = f"unknowns[{index}]"
            _check_sources(unknown.sources, known_sources, where)
            resolved = self.catalog.resolve(unknown.type)
            if resolved.code != unknown.type:
                raise InvalidInput(
                    f"type must be the canonical code {resolved.code}", field=f"{where}.type"
                )
            if (unknown.type, unknown.parties) in seen_unknowns:
                raise InvalidInput("the same unknown is stated twice", field=where)
            seen_unknowns.add((unknown.type, unknown.parties))
            known = [
                a.id
                for a in by_id.values()
                if a.type == unknown.type and set(unknown.parties) <= set(a.parties)
            ]
            if known:
                raise InvalidInput(
                    f"the register knows {known[0]}: a {unknown.type} between "
                    f"{' and '.join(unknown.parties)} is not unknown",
                    field=where,
                )
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_timelines", timelines)
        object.__setattr__(self, "_readings", {})

    # -- lookups --

    def get(self, agreement_id: str) -> Agreement:
        try:
            return self._by_id[agreement_id]
        except KeyError:
            raise NotFound(f"no agreement '{agreement_id[:64]}' in the register") from None

    def timeline(self, agreement_id: str) -> Timeline:
        self.get(agreement_id)
        return self._timelines[agreement_id]

    def type_of(self, agreement: Agreement) -> AgreementType:
        return self.catalog.resolve(agreement.type)

    def capabilities_of(self, agreement: Agreement) -> frozenset[str]:
        return self.type_of(agreement).capabilities | agreement.extra_capabilities

    def status(self, agreement_id: str, day: dt.date) -> StatusReport:
        return self.timeline(agreement_id).status_on(day)

    # -- queries --

    def select(
        self, *, nations: Iterable[str] = (), type_name: str | None = None
    ) -> tuple[Agreement, ...]:
        """Agreements to which every one of ``nations`` is a party, of the given type (any
        alias), in id order."""
        wanted = {nation_code(n) for n in nations}
        code = self.catalog.resolve(type_name).code if type_name else None
        return tuple(
            sorted(
                (
                    a
                    for a in self.agreements
                    if wanted <= set(a.parties) and (code is None or a.type == code)
                ),
                key=lambda a: a.id,
            )
        )

    def status_between(
        self, first: str, second: str, day: dt.date, *, type_name: str | None = None
    ) -> tuple[StatusReport, ...]:
        """Every agreement between the two nations (in either order) and its status on ``day``."""
        agreements = self.select(nations=_pair(first, second), type_name=type_name)
        return tuple(self.status(a.id, day) for a in agreements)

    def unknowns_between(
        self, first: str, second: str, *, type_name: str | None = None
    ) -> tuple[UnknownAgreement, ...]:
        """What the register does not know between the two nations (either order)."""
        pair = tuple(sorted(_pair(first, second)))
        code = self.catalog.resolve(type_name).code if type_name else None
        return tuple(
            u for u in self.unknowns if u.parties == pair and (code is None or u.type == code)
        )

    def designations_of(self, nation: str, by: str, day: dt.date) -> tuple[Designation, ...]:
        """The designations ``by`` had given ``nation`` by ``day`` (certainly: dated on or
        before it)."""
        code, giver = nation_code(nation), nation_code(by)
        return tuple(
            d
            for d in self.designations
            if d.nation == code and d.by == giver and d.date.latest <= day
        )

    def measures_on(self, nation: str, by: str, day: dt.date) -> tuple[Measure, ...]:
        """The measures ``by`` had (possibly) in effect towards ``nation`` on ``day``: a day
        inside a start or end window counts, since rules that block on a measure fail closed."""
        code, giver = nation_code(nation), nation_code(by)
        return tuple(
            m for m in self.measures if m.nation == code and m.by == giver and m.possibly_on(day)
        )

    def open_capabilities(
        self, first: str, second: str, day: dt.date, activity: Activity | None = None
    ) -> tuple[CapabilityOpening, ...]:
        """Capabilities open between two nations on ``day`` for ``activity`` (any activity when
        ``None``), through agreements in force whose scope covers it. ``uncertain`` never opens
        anything."""
        through: dict[str, list[StatusReport]] = {}
        for report in self.status_between(first, second, day):
            agreement = self.get(report.agreement_id)
            if not report.in_force or (activity is not None and not agreement.covers(activity)):
                continue
            for capability in self.capabilities_of(agreement):
                through.setdefault(capability, []).append(report)
        openings = []
        for capability, reports in sorted(through.items()):
            ends = [r.until for r in reports]
            until = (
                None
                if any(e is None for e in ends)
                else max((e for e in ends if e is not None), key=lambda w: w.latest)
            )
            openings.append(
                CapabilityOpening(
                    capability=capability,
                    agreements=tuple(r.agreement_id for r in reports),
                    until=until,
                )
            )
        return tuple(openings)

    def open_with_partners(self, nation: str, day: dt.date) -> dict[str, dict[str, list[str]]]:
        """Every partner of ``nation`` (each other party to one of its agreements) with the
        capabilities open with it on ``day`` and the agreements in force that open each: the
        channel matrix, in one pass over the nation's agreements (``open_capabilities`` for
        one pair). ``uncertain`` never opens anything."""
        code = nation_code(nation)
        found: dict[str, dict[str, list[str]]] = {}
        for agreement in self.select(nations=[code]):
            partners = [p for p in agreement.parties if p != code]
            for partner in partners:
                found.setdefault(partner, {})
            if not self.status(agreement.id, day).in_force:
                continue
            for capability in sorted(self.capabilities_of(agreement)):
                for partner in partners:
                    found[partner].setdefault(capability, []).append(agreement.id)
        return found

    def expiring(
        self, day: dt.date, horizon: dt.date, *, nations: Iterable[str] = ()
    ) -> tuple[Expiry, ...]:
        """Agreements in force on ``day`` whose term may end by ``horizon``, soonest first."""
        found = []
        for agreement in self.select(nations=nations):
            report = self.status(agreement.id, day)
            if report.in_force and report.until is not None and report.until.earliest <= horizon:
                found.append(
                    Expiry(
                        agreement=agreement,
                        report=report,
                        days_left=(report.until.earliest - day).days,
                    )
                )
        return tuple(sorted(found, key=lambda e: (e.days_left, e.agreement.id)))

    # -- readings of the evidence --

    def under(self, reading: Grade) -> Register:
        """The register as a reading of the evidence sees it: only the events and designations
        whose grade counts under ``reading`` (``accord.agreements.evidence``), and every event
        that ends or limits an agreement whatever its grade. An event whose premise does not
        count (a renewal of an agreement whose signing is only reported, under an official-only
        reading) does not count either. The full register is ``under`` its weakest grade,
        ``inferred``."""
        if reading is Grade.INFERRED:
            return self
        cached = self._readings.get(reading)
        if cached is None:
            cached = Register(
                catalog=self.catalog,
                agreements=tuple(_counting(a, reading) for a in self.agreements),
                sources=self.sources,
                designations=tuple(d for d in self.designations if d.grade.counts_under(reading)),
                milestones=self.milestones,
                unknowns=self.unknowns,  # doubts count under every reading
                measures=self.measures,  # and so do measures that limit
            )
            self._readings[reading] = cached
        return cached

    # -- change --

    def with_agreement(self, agreement: Agreement, *, sources: tuple[Source, ...] = ()) -> Register:
        """A register with ``agreement`` added or replaced and ``sources`` added (validated
        like any other)."""
        others = tuple(a for a in self.agreements if a.id != agreement.id)
        return Register(
            catalog=self.catalog,
            agreements=(*others, agreement),
            sources=self.sources + sources,
            designations=self.designations,
            milestones=self.milestones,
            unknowns=resolved_unknowns(self.unknowns, (*others, agreement)),
            measures=self.measures,
        )


def resolved_unknowns(
    unknowns: tuple[UnknownAgreement, ...], agreements: tuple[Agreement, ...]
) -> tuple[UnknownAgreement, ...]:
    """The unknowns that the agreements now recorded do not answer: recording (or importing) a
    US-Pakistan GSOMIA ends the doubt about whether one exists."""
    return tuple(
        u
        for u in unknowns
        if not any(a.type == u.type and set(u.parties) <= set(a.parties) for a in agreements)
    )


#: Events that end or limit an agreement: they count under every reading. A reading decides which
#: facts are strong enough to establish legal cover, never which doubts to ignore (fail closed:
#: a lapse known only from a secondary source still ends the term).
_LIMITING = frozenset(
    {EventKind.EXPIRED, EventKind.TERMINATED, EventKind.SUSPENDED, EventKind.NOTICE_GIVEN}
)


def _counting(agreement: Agreement, reading: Grade) -> Agreement:
    """``agreement`` with the events that count under ``reading``, in their order, each kept only
    if the lifecycle built from those before it still allows it."""
    kept: list[Event] = []
    for event in agreement.events:
        if not (event.grade.counts_under(reading) or event.kind in _LIMITING):
            continue
        candidate = replace(agreement, events=(*kept, event))
        try:
            build_timeline(candidate)
        except InvalidInput:  # its premise did not count: neither does it
            continue
        kept.append(event)
    return replace(agreement, events=tuple(kept))


def _pair(first: str, second: str) -> tuple[str, str]:
    a, b = nation_code(first), nation_code(second)
    if a == b:
        raise InvalidInput(f"name two different nations (got {a} twice)")
    return a, b


def _check_sources(cited: tuple[str, ...], known: set[str], where: str) -> None:
    for index, source_id in enumerate(cited):
        if source_id not in known:
            raise InvalidInput(f"unknown source '{source_id}'", field=f"{where}.sources[{index}]")
