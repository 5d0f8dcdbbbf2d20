"""Pages of a list filtered by who reads it (the outbox and inbox, by clearance): newest first,
with a cursor to the next page, looking at a bounded number of rows for one page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

Row = TypeVar("Row")
Cursor = tuple[str, str]

#: The most rows one page looks at: a page for a reader who may see few of many stays quick (and
#: may then hold fewer than asked, with a cursor to go on).
SCAN = 2000


def filtered_page(
    fetch: Callable[[int, Cursor | None], list[Row]],
    cursor_of: Callable[[Row], Cursor],
    shown_as: Callable[[Row], dict[str, Any] | None],
    *,
    limit: int,
    before: Cursor | None,
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """Up to ``limit`` rows as ``shown_as`` shows them (None: not for this reader), from
    ``fetch(n, cursor)`` (newest first, older than the cursor), and the next page's cursor (None
    at the end)."""
    shown: list[dict[str, Any]] = []
    cursor = before
    scanned = 0
    while len(shown) < limit and scanned < SCAN:
        batch = fetch(limit, cursor)
        for row in batch:
            scanned += 1
            cursor = cursor_of(row)
            view = shown_as(row)
            if view is not None:
                shown.append(view)
            if len(shown) == limit:
                break
        if len(batch) < limit and len(shown) < limit:
            return shown, None
    return shown, cursor
