"""Times on the wire: one format, parsed and compared as times.

Every time Accord signs or reads from a partner (an envelope's ``created``, a key's ``created``
and ``not_after``, a descriptor's ``issued``, a receipt's ``at``) is RFC 3339 in UTC with whole
seconds and a ``Z``: ``2026-11-22T08:00:00Z`` (docs/envelope.md, "Times"). Nothing else is
accepted: no offsets, no fractions, no lower-case ``t`` or ``z``, so one instant has one spelling
and a text comparison can never stand in for a time comparison by accident.
"""

from __future__ import annotations

import datetime as dt
import re

from accord.errors import InvalidInput

_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


def format_time(value: dt.datetime) -> str:
    """The wire form of an aware datetime (converted to UTC, fractions dropped)."""
    if value.tzinfo is None:
        raise InvalidInput("a time on the wire is timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object, what: str) -> dt.datetime:
    """The aware UTC datetime ``text`` spells in the wire form; anything else is refused."""
    if not isinstance(text, str) or not _FORMAT.fullmatch(text):
        raise InvalidInput(f"{what} is a UTC time written YYYY-MM-DDTHH:MM:SSZ")
    try:
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
    except ValueError:
        raise InvalidInput(f"{what} is not a real time") from None
