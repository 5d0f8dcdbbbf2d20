"""The register compiled for decisions: per agreement, its status as day intervals; per nation
pair and capability, the agreements that provide it.

A status report changes only where a date window of the agreement's lifecycle begins or ends
(``Timeline.status_on`` compares the day with window bounds only), so evaluating it once per
interval between consecutive bounds gives every day's answer, and a decision is a dictionary
lookup and a bisect.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from accord.agreements.lifecycle import StatusReport
from accord.agreements.model import Agreement
from accord.agreements.record import register_to_dict
from accord.agreements.register import Register


@dataclass(frozen=True, slots=True)
class AgreementIntervals:
    agreement: Agreement
    capabilities: frozenset[str]
    #: Interval i covers [starts[i], starts[i+1]); the first starts at date.min.
    starts: tuple[dt.date, ...]
    reports: tuple[StatusReport, ...]

    #: The index of each report's interval, so equal reports can share cached results.
    def status(self, day: dt.date) -> tuple[int, StatusReport]:
        index = bisect.bisect_right(self.starts, day) - 1
        return index, self.reports[index]


def _bounds(register: Register, agreement_id: str) -> list[dt.date]:
    timeline = register.timeline(agreement_id)
    bounds: set[dt.date] = set()
    for segment in timeline.segments:
        for transition in (segment.start, segment.end):
            if transition is not None:
                bounds.add(transition.window.earliest)
                bounds.add(transition.window.latest)
    return sorted(bounds)


def compile_agreement(register: Register, agreement: Agreement) -> AgreementIntervals:
    starts = [dt.date.min, *_bounds(register, agreement.id)]
    timeline = register.timeline(agreement.id)
    reports = [timeline.status_on(day) for day in starts]
    return AgreementIntervals(
        agreement=agreement,
        capabilities=register.capabilities_of(agreement),
        starts=tuple(starts),
        reports=tuple(reports),
    )


def register_version(register: Register) -> str:
    """A content digest of the register: the same register has the same version anywhere."""
    canonical = json.dumps(
        register_to_dict(register), sort_keys=True, separators=(",", ":"), default=str
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class CompiledRegister:
    register: Register
    version: str
    #: (nation, nation) sorted -> the agreements between them, compiled.
    pairs: dict[tuple[str, str], tuple[AgreementIntervals, ...]]

    @classmethod
    def compile(cls, register: Register, version: str | None = None) -> CompiledRegister:
        pairs: dict[tuple[str, str], list[AgreementIntervals]] = {}
        for agreement in register.agreements:
            compiled = compile_agreement(register, agreement)
            parties = agreement.parties
            for i, first in enumerate(parties):
                for second in parties[i + 1 :]:
                    pairs.setdefault((first, second), []).append(compiled)
        return cls(
            register=register,
            version=version or register_version(register),
            pairs={k: tuple(v) for k, v in pairs.items()},
        )

    def between(self, first: str, second: str) -> tuple[AgreementIntervals, ...]:
        key = (first, second) if first < second else (second, first)
        return self.pairs.get(key, ())
