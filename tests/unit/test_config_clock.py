import datetime as dt
from pathlib import Path

import pytest

from accord.clock import FixedClock, SystemClock
from accord.config import load_settings
from accord.errors import InvalidInput


def test_defaults_use_sqlite_in_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path))
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path}/accord.db"
    assert settings.uses_default_sqlite


def test_toml_file_in_home_and_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path))
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    (tmp_path / "accord.toml").write_text(
        'database_url = "postgresql+psycopg://x@localhost/y"\n[limits]\nimport_bytes = 1234\n'
    )
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://x@localhost/y"
    assert settings.limits.import_bytes == 1234
    monkeypatch.setenv("ACCORD_DATABASE_URL", "sqlite:///other.db")
    assert load_settings().database_url == "sqlite:///other.db"
    # Limits too: the environment beats the file's [limits] table, which used to win.
    monkeypatch.setenv("ACCORD_LIMIT_IMPORT_BYTES", "999")
    monkeypatch.setenv("ACCORD_LIMIT_LABEL_BYTES", "777")
    both = load_settings().limits
    assert (both.import_bytes, both.label_bytes) == (999, 777)


def test_the_example_configuration_is_the_defaults(tmp_path, monkeypatch):
    """examples/accord.toml is read as it is, and says the defaults."""
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path))
    for variable in ("ACCORD_DATABASE_URL", "ACCORD_NODE_NAME", "ACCORD_EVIDENCE"):
        monkeypatch.delenv(variable, raising=False)
    defaults = load_settings()
    example = Path(__file__).parents[2] / "examples" / "accord.toml"
    (tmp_path / "accord.toml").write_bytes(example.read_bytes())
    assert load_settings() == defaults


def test_bad_settings_are_invalid_input(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path))
    monkeypatch.setenv("ACCORD_LIMIT_IMPORT_BYTES", "-5")
    with pytest.raises(InvalidInput, match="import_bytes"):
        load_settings()
    monkeypatch.delenv("ACCORD_LIMIT_IMPORT_BYTES")
    (tmp_path / "accord.toml").write_text("database_url = [unclosed\n")
    with pytest.raises(InvalidInput, match=r"accord\.toml"):
        load_settings()


def test_fixed_clock_advances_and_never_goes_back():
    clock = FixedClock(dt.date(2021, 6, 1))
    assert clock.today() == dt.date(2021, 6, 1)
    clock.advance(dt.timedelta(days=2))
    assert clock.today() == dt.date(2021, 6, 3)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(dt.timedelta(days=-1))
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(dt.datetime(2021, 6, 1))


def test_system_clock_is_utc():
    assert SystemClock().now().tzinfo is dt.UTC
