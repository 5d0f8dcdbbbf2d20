"""What every command needs: settings, the clock, the node's services, and output helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from accord.clock import Clock, SystemClock
from accord.config import Settings, load_settings
from accord.errors import InvalidInput
from accord.node.register import RegisterService, open_database

#: Tests replace this to run commands at a fixed date.
clock: Clock = SystemClock()

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def settings() -> Settings:
    return load_settings()


@contextmanager
def register_service() -> Iterator[RegisterService]:
    database = open_database(settings())
    try:
        yield RegisterService(database, clock)
    finally:
        database.dispose()


def print_json(value: Any) -> None:
    """JSON on stdout, exactly (no Rich markup or wrapping), for other tools to read."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_file(path: Path, limit: int, what: str = "") -> bytes:
    """A file's bytes, reading at most ``limit`` (a larger file is refused, not truncated)."""
    label = f"{what} {path}".strip()
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as e:
        raise InvalidInput(f"{label}: cannot read: {e.strerror}") from None
    if len(data) > limit:
        raise InvalidInput(f"{label}: larger than the limit of {limit} bytes")
    return data
