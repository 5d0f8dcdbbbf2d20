"""The lifecycle watcher: alerts before agreements expire, and when their status changes.

Run periodically (``accord serve`` does, and ``accord watch`` once). For each agreement in force
whose term may end within a horizon (365, 180, 90 and 30 days by default), an ``expiring`` alert,
once per horizon and term end. When an agreement's status differs from the one seen at the last
run, a ``closed`` alert (it was in force and is not: its channels close, since channels are the
agreements in force) or an ``opened`` or ``changed`` one, logged as an agreement event in the
transparency log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from accord.agreements.dates import FuzzyDate
from accord.agreements.vocabulary import Status
from accord.clock import Clock
from accord.node.register import RegisterService
from accord.store.alert_repository import Alert, AlertRepository, WatchedStatus
from accord.store.database import Database
from accord.store.tlog_repository import append_in
from accord.tlog.kinds import AgreementEventEntry

HORIZONS = (365, 180, 90, 30)


class LifecycleWatcher:
    def __init__(
        self, database: Database, clock: Clock, horizons: tuple[int, ...] = HORIZONS
    ) -> None:
        self.database = database
        self.clock = clock
        self.horizons = tuple(sorted(horizons, reverse=True))
        self.register_service = RegisterService(database, clock)

    def run_once(self) -> list[Alert]:
        """Check every agreement today; returns the alerts raised by this run."""
        today = self.clock.today()
        register = self.register_service.register()
        raised: list[Alert] = []
        with self.database.transaction() as connection:
            repository = AlertRepository(connection)
            seen = repository.seen_statuses()
            existing = repository.raised_keys()
            for agreement in register.agreements:
                report = register.status(agreement.id, today)
                candidates = self._expiring(agreement.id, report.in_force, report.until, today)
                before = seen.get(agreement.id)
                if before is not None and before != report.status.value:
                    candidates.append(
                        self._changed(
                            agreement.id, before, report.status, report.explanation, today
                        )
                    )
                for alert in candidates:
                    if alert.key in existing:
                        continue
                    existing.add(alert.key)
                    index = None
                    if alert.horizon_days == 0:
                        entry = AgreementEventEntry(
                            agreement=agreement.id,
                            event=alert.kind,
                            status=report.status.value,
                            at=self.clock.now(),
                        )
                        index = append_in(connection, [entry.entry()]).first_index
                    stored = replace(alert, log_index=index)
                    repository.add(stored)
                    raised.append(stored)
                repository.save_status(
                    WatchedStatus(
                        agreement_id=agreement.id,
                        status=report.status.value,
                        until=str(report.until) if report.until else None,
                        checked_on=today.isoformat(),
                    ),
                    known=before is not None,
                )
        return raised

    def _expiring(
        self, agreement_id: str, in_force: bool, until: FuzzyDate | None, today: dt.date
    ) -> list[Alert]:
        if not in_force or until is None:
            return []
        days_left = (until.earliest - today).days
        return [
            Alert(
                kind="expiring",
                agreement_id=agreement_id,
                horizon_days=horizon,
                day=str(until),
                message=(
                    f"{agreement_id} may end {until}: {days_left} days left (within {horizon} days)"
                ),
            )
            for horizon in self.horizons
            if days_left <= horizon
        ]

    @staticmethod
    def _changed(
        agreement_id: str, before: str, now: Status, explanation: str, today: dt.date
    ) -> Alert:
        if before == Status.IN_FORCE.value:
            kind, effect = "closed", "its channels are closed"
        elif now is Status.IN_FORCE:
            kind, effect = "opened", "its channels are open"
        else:
            kind, effect = "changed", "no channel opens through it"
        return Alert(
            kind=kind,
            agreement_id=agreement_id,
            horizon_days=0,
            day=today.isoformat(),
            message=f"{agreement_id} is now {now.value} (was {before}): {explanation}; {effect}",
        )

    def alerts(self, limit: int = 500) -> list[Alert]:
        with self.database.reading() as connection:
            return AlertRepository(connection).latest(limit)


__all__ = ["HORIZONS", "Alert", "LifecycleWatcher"]
