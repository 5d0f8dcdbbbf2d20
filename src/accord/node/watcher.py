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
from dataclasses import dataclass, replace

import sqlalchemy as sa

from accord.agreements.dates import FuzzyDate
from accord.agreements.vocabulary import Status
from accord.clock import Clock
from accord.node.log import append_in
from accord.node.register import RegisterService
from accord.store.database import Database
from accord.store.tables import alerts, watch_state
from accord.tlog.entries import EntryKind, LogEntry

HORIZONS = (365, 180, 90, 30)


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    kind: str
    agreement_id: str
    horizon_days: int
    day: str
    message: str
    log_index: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "agreement": self.agreement_id,
            "horizon_days": self.horizon_days,
            "day": self.day,
            "message": self.message,
            "log_index": self.log_index,
        }


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
            seen = {
                str(r.agreement_id): str(r.status)
                for r in connection.execute(
                    sa.select(watch_state.c.agreement_id, watch_state.c.status)
                )
            }
            existing = {
                (str(r.kind), str(r.agreement_id), int(r.horizon_days), str(r.day))
                for r in connection.execute(
                    sa.select(
                        alerts.c.kind, alerts.c.agreement_id, alerts.c.horizon_days, alerts.c.day
                    )
                )
            }
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
                    key = (alert.kind, alert.agreement_id, alert.horizon_days, alert.day)
                    if key in existing:
                        continue
                    existing.add(key)
                    index = None
                    if alert.horizon_days == 0:
                        entry = LogEntry(
                            EntryKind.AGREEMENT_EVENT,
                            {
                                "agreement": agreement.id,
                                "event": alert.kind,
                                "status": report.status.value,
                                "at": today.isoformat(),
                            },
                        )
                        index = append_in(connection, [entry]).first_index
                    stored = replace(alert, log_index=index)
                    connection.execute(sa.insert(alerts).values(**_row(stored)))
                    raised.append(stored)
                row = {
                    "status": report.status.value,
                    "until": str(report.until) if report.until else None,
                    "checked_on": today.isoformat(),
                }
                if before is None:
                    connection.execute(
                        sa.insert(watch_state).values(agreement_id=agreement.id, **row)
                    )
                else:
                    connection.execute(
                        sa.update(watch_state)
                        .where(watch_state.c.agreement_id == agreement.id)
                        .values(**row)
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
            rows = connection.execute(sa.select(alerts).order_by(alerts.c.id.desc()).limit(limit))
            return [
                Alert(
                    kind=str(r.kind),
                    agreement_id=str(r.agreement_id),
                    horizon_days=int(r.horizon_days),
                    day=str(r.day),
                    message=str(r.message),
                    log_index=None if r.log_index is None else int(r.log_index),
                )
                for r in rows
            ]


def _row(alert: Alert) -> dict[str, object]:
    return {
        "kind": alert.kind,
        "agreement_id": alert.agreement_id,
        "horizon_days": alert.horizon_days,
        "day": alert.day,
        "message": alert.message,
        "log_index": alert.log_index,
    }
