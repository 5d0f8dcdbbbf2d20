"""The lifecycle watcher with a fake clock moved past the 2020 CISMOA expiry (SQLite and
PostgreSQL): expiry alerts at each horizon, once; the lapse closes the channel and is logged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from accord.agreements.public_record import public_record
from accord.cli import context
from accord.cli.main import run
from accord.clock import FixedClock
from accord.node.register import RegisterService
from accord.node.watcher import LifecycleWatcher
from accord.store.database import Database
from accord.store.tlog_repository import TlogRepository
from accord.tlog.entries import decode


@pytest.fixture
def database(database_url: str):
    db = Database(database_url)
    db.migrate()
    RegisterService(db, FixedClock(dt.date(2019, 1, 1))).import_register(public_record())
    yield db
    db.dispose()


def cismoa(alerts):  # type: ignore[no-untyped-def]
    return [a for a in alerts if a.agreement_id == "pak-usa-cismoa"]


def test_expiry_horizons_then_the_lapse(database: Database) -> None:
    clock = FixedClock(dt.date(2019, 6, 1))
    watcher = LifecycleWatcher(database, clock)
    assert cismoa(watcher.run_once()) == []  # 2020-10 is more than 365 days away
    clock.advance(dt.timedelta(days=200))  # 2019-12-18: within 365 days of 2020-10
    first = cismoa(watcher.run_once())
    assert [(a.kind, a.horizon_days) for a in first] == [("expiring", 365)]
    assert "pak-usa-cismoa may end 2020-10" in first[0].message
    assert cismoa(watcher.run_once()) == []  # once per horizon
    clock.advance(dt.timedelta(days=200))  # 2020-07-05: within 180 and 90 days
    assert sorted(a.horizon_days for a in cismoa(watcher.run_once())) == [90, 180]
    clock.advance(dt.timedelta(days=200))  # 2021-01-21: lapsed
    lapse = cismoa(watcher.run_once())
    assert [a.kind for a in lapse] == ["closed"]
    assert (
        "pak-usa-cismoa is now lapsed (was uncertain)" in lapse[0].message
        or "was in-force" in lapse[0].message
    )
    assert lapse[0].log_index is not None
    with database.transaction() as connection:
        entry = decode(TlogRepository(connection).entry(lapse[0].log_index)[1])
    assert entry.fields["agreement"] == "pak-usa-cismoa"
    assert entry.fields["status"] == "lapsed"
    assert any(a.kind == "closed" for a in cismoa(watcher.alerts()))


def test_the_renewal_reopens_the_channel(database: Database) -> None:
    clock = FixedClock(dt.date(2022, 1, 1))
    watcher = LifecycleWatcher(database, clock)
    watcher.run_once()
    clock.advance(dt.timedelta(days=700))  # 2023-12-02: renewed 2023-08
    opened = [a for a in cismoa(watcher.run_once()) if a.kind == "opened"]
    assert len(opened) == 1
    assert "its channels are open" in opened[0].message


def test_alerts_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    monkeypatch.setattr(context, "clock", FixedClock(dt.date(2020, 6, 1)))
    assert run(["init"]) == 0
    assert run(["watch"]) == 0
    capsys.readouterr()
    assert run(["alerts", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert any(a["agreement"] == "pak-usa-cismoa" and a["kind"] == "expiring" for a in found)
