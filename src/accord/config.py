"""Settings: from ``ACCORD_*`` environment variables, then ``$ACCORD_HOME/accord.toml``, then
defaults.

Every untrusted input Accord reads has its limit here, checked before any parsing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from accord.agreements.evidence import DEFAULT_READING, Grade
from accord.errors import InvalidInput

DEFAULT_HOME = Path("~/.accord")
CONFIG_FILE_NAME = "accord.toml"
DATABASE_FILE_NAME = "accord.db"


class Limits(BaseSettings):
    """Size limits on untrusted input."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_LIMIT_", extra="forbid")

    #: An import file (the register's YAML or JSON form).
    import_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    #: A security label or clearance in any encoding.
    label_bytes: int = Field(default=256 * 1024, gt=0)
    #: A security policy (XML-SPIF).
    policy_bytes: int = Field(default=4 * 1024 * 1024, gt=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="forbid")

    #: The data directory: database, keys, configuration.
    home: Path = DEFAULT_HOME
    #: SQLAlchemy URL; SQLite in ``home`` when unset. PostgreSQL: ``postgresql+psycopg://...``.
    database_url: str | None = None
    #: The node's name: its transparency log's origin is ``<node_name>/log``. A schema-less URL.
    node_name: str = Field(default="accord.local", pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_/:]{0,200}$")
    #: How often ``accord serve`` runs the lifecycle watcher.
    watch_interval_seconds: float = Field(default=3600.0, gt=0)
    #: How often ``accord serve`` looks for messages to deliver to peers.
    delivery_interval_seconds: float = Field(default=1.0, gt=0)
    #: How long a delivery pass's claim on a message lasts: messages claimed by a worker that
    #: died are sent again once it runs out. Longer than a send can take (15 s to connect, 15 s
    #: for the answer), or a slow send is duplicated (harmless: the receiver is idempotent).
    delivery_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    #: How often ``accord serve`` asks its peers to cosign its latest checkpoint.
    witness_interval_seconds: float = Field(default=60.0, gt=0)
    #: UNSAFE, for demonstrations and tests only: read the time from this file (an RFC 3339
    #: instant or a date) instead of the system clock. Logged as a warning at every start.
    unsafe_clock_file: Path | None = None
    limits: Limits = Field(default_factory=Limits)
    #: The weakest evidence grade that counts in statuses and decisions (docs/register.md):
    #: ``reported`` (the default, the seeds' reading), ``official``, ``secondary``, ``inferred``.
    evidence: Grade = DEFAULT_READING
    #: ``accord serve``: a request's headers must arrive within this many seconds of its first
    #: byte (of the connection's opening, for the first request); else the connection is dropped.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    #: ``accord serve``: a request's body must arrive within this many seconds of its headers.
    body_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    #: ``accord serve``: connections one client address may hold open at once (more are closed).
    max_connections_per_client: int = Field(default=32, gt=0, le=100_000)
    #: ``accord serve``: its log lines as ``text`` (for people) or ``json`` (one object a line).
    log_format: Literal["text", "json"] = "text"
    #: ``accord serve``: requests in progress at once; more are answered 503.
    max_concurrent_requests: int = Field(default=1024, gt=0, le=1_000_000)
    #: The console: the classification the node is accredited to hold (its "system high"), a
    #: level of its national policy; the banner of a page that shows no labelled content.
    system_high: str = Field(default="SECRET", min_length=1, max_length=64)

    @field_validator("limits", mode="before")
    @classmethod
    def _environment_beats_the_file(cls, value: Any) -> Any:
        """A ``[limits]`` table of accord.toml reaches ``Limits`` as its arguments, which would
        beat the ``ACCORD_LIMIT_*`` variables that ``Limits`` reads itself: the environment wins
        here too, as everywhere else."""
        if isinstance(value, dict):
            from_environment = Limits().model_dump(exclude_unset=True)
            return {**value, **from_environment}
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file; the file lives in the home the environment names.
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = _home_from(init_settings, env_settings) / CONFIG_FILE_NAME
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @property
    def home_path(self) -> Path:
        return self.home.expanduser()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_path / DATABASE_FILE_NAME}"

    @property
    def uses_default_sqlite(self) -> bool:
        return not self.database_url


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and the home's ``accord.toml``; bad values are
    :class:`InvalidInput` naming the setting."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        raise InvalidInput(first["msg"], field=f"setting {name}") from e
    except (OSError, ValueError) as e:  # an unreadable or malformed accord.toml
        raise InvalidInput(f"cannot read {CONFIG_FILE_NAME}: {e}", field="settings") from e


def _home_from(*sources: PydanticBaseSettingsSource) -> Path:
    for source in sources:
        values = source()
        if values.get("home"):
            return Path(str(values["home"])).expanduser()
    return DEFAULT_HOME.expanduser()
