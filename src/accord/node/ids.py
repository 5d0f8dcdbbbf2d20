"""Message ids as people type them: a unique prefix stands for the whole id.

Ids are UUIDs (36 characters); a list prints them whole, and a person may type the first few.
A prefix that several messages share is refused with the candidates, so that nobody acts on a
message they did not mean. Only the messages the caller may see are candidates: a prefix never
tells anyone that a message above their clearance exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from accord.errors import InvalidInput

#: At least four characters of an id, at most all but one.
_PREFIX = re.compile(r"[0-9a-f-]{4,35}", re.ASCII)


def resolve(given: str, candidates: Callable[[str], list[str]], what: str) -> str:
    """The one id ``given`` names: itself when it is a whole id (or not an id at all, for the
    lookup to refuse), else the one visible id it starts (``candidates(prefix)``). A prefix
    that starts no visible id is returned as it is, and the lookup says it is not found."""
    if not _PREFIX.fullmatch(given):
        return given
    found = candidates(given)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise InvalidInput(f"{what} id prefix {given!r} is ambiguous: {shown}")
    return given
