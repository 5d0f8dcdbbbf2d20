"""Where the shared conformance data lives. It is read in place, never copied (brief)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_PROJECT = Path(__file__).resolve().parents[2]
_CANDIDATES = [
    Path(os.environ["ACCORD_CONFORMANCE_DIR"])
    if os.environ.get("ACCORD_CONFORMANCE_DIR")
    else None,
    _PROJECT.parent / "shared" / "conformance",
    Path("/work/shared/conformance"),
]


def conformance_dir() -> Path:
    for candidate in _CANDIDATES:
        if candidate is not None and (candidate / "spiffing" / "tests.xml").is_file():
            return candidate
    pytest.fail(
        "the conformance data (../shared/conformance) is missing; set ACCORD_CONFORMANCE_DIR"
    )
    raise AssertionError  # unreachable: pytest.fail raises


SPIFFING = "spiffing"
SPARROW = "sparrow"
