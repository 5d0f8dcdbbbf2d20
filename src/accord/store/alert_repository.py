"""The lifecycle watcher's repository: the alerts raised (each once: kind, agreement, horizon,
day), and the status each agreement had at the last run."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.store.tables import alerts, watch_state


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    kind: str
    agreement_id: str
    horizon_days: int
    day: str
    message: str
    log_index: int | None = None

    @property
    def key(self) -> tuple[str, str, int, str]:
        """What makes an alert the same alert: it is raised once."""
        return (self.kind, self.agreement_id, self.horizon_days, self.day)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "agreement": self.agreement_id,
            "horizon_days": self.horizon_days,
            "day": self.day,
            "message": self.message,
            "log_index": self.log_index,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchedStatus:
    agreement_id: str
    status: str
    until: str | None
    checked_on: str


class AlertRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def seen_statuses(self) -> dict[str, str]:
        rows = self.connection.execute(sa.select(watch_state.c.agreement_id, watch_state.c.status))
        return {str(r.agreement_id): str(r.status) for r in rows}

    def raised_keys(self) -> set[tuple[str, str, int, str]]:
        rows = self.connection.execute(
            sa.select(alerts.c.kind, alerts.c.agreement_id, alerts.c.horizon_days, alerts.c.day)
        )
        return {(str(r.kind), str(r.agreement_id), int(r.horizon_days), str(r.day)) for r in rows}

    def add(self, alert: Alert) -> None:
        self.connection.execute(
            sa.insert(alerts).values(
                kind=alert.kind,
                agreement_id=alert.agreement_id,
                horizon_days=alert.horizon_days,
                day=alert.day,
                message=alert.message,
                log_index=alert.log_index,
            )
        )

    def save_status(self, seen: WatchedStatus, *, known: bool) -> None:
        values = {"status": seen.status, "until": seen.until, "checked_on": seen.checked_on}
        if known:
            self.connection.execute(
                sa.update(watch_state)
                .where(watch_state.c.agreement_id == seen.agreement_id)
                .values(**values)
            )
        else:
            self.connection.execute(
                sa.insert(watch_state).values(agreement_id=seen.agreement_id, **values)
            )

    def latest(self, limit: int) -> list[Alert]:
        rows = self.connection.execute(sa.select(alerts).order_by(alerts.c.id.desc()).limit(limit))
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
