"""Nations, named by ISO 3166-1 alpha-3 codes (USA, PAK, IND)."""

from __future__ import annotations

import functools

import pycountry

from accord.errors import InvalidInput


@functools.cache
def _names() -> dict[str, str]:
    return {c.alpha_3: getattr(c, "common_name", c.name) for c in pycountry.countries}


def nation_code(text: str) -> str:
    """The canonical (upper-case) alpha-3 code, or :class:`InvalidInput`."""
    code = text.strip().upper()
    if len(code) != 3 or code not in _names():
        shown = text if len(text) <= 16 else text[:16] + "..."
        raise InvalidInput(f"unknown nation '{shown}': expected an ISO 3166-1 alpha-3 code")
    return code
