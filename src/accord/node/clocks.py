"""Choosing the node's clock: the system's, or (UNSAFE, for demonstrations and tests that replay
history across several node processes) the instant written in a file.

``accord demo`` runs three nodes as real processes and replays the public record from 2005 to
2023: every process reads the same file, which the demo rewrites before each step. A node
configured so says so in a warning at every start; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from accord.clock import Clock
from accord.config import Settings
from accord.errors import StorageError

log = logging.getLogger(__name__)


class FileClock:
    """The instant in a file (``2021-06-01`` or ``2021-06-01T09:00:00Z``), read on every call."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> dt.datetime:
        try:
            text = self.path.read_text(encoding="utf-8").strip()[:64]
        except OSError as e:
            raise StorageError(f"cannot read the clock file {self.path}: {e.strerror}") from e
        try:
            if "T" in text:
                value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                if value.tzinfo is None:
                    raise ValueError(text)
                return value.astimezone(dt.UTC)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise StorageError(f"the clock file {self.path} holds no date or instant") from None
        return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()


def clock_for(settings: Settings, default: Clock) -> Clock:
    if settings.unsafe_clock_file is None:
        return default
    log.warning(
        "UNSAFE: the time is read from %s, not the system clock", settings.unsafe_clock_file
    )
    return FileClock(settings.unsafe_clock_file)
