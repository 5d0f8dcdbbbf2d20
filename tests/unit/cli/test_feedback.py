"""Long commands show progress on a terminal's stderr, and nothing to a script."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from accord.cli import context


def _stderr(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> io.StringIO:
    written = io.StringIO()
    console = Console(file=written, force_terminal=terminal, width=80)
    monkeypatch.setattr(context, "err", console)
    return written


def test_a_progress_bar_counts_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    written = _stderr(monkeypatch, terminal=True)
    with context.progress_bar("appending", 30) as advance:
        for _ in range(3):
            advance(10)
    assert "appending" in written.getvalue()
    assert "30/30" in written.getvalue()


def test_a_spinner_says_what_runs_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    written = _stderr(monkeypatch, terminal=True)
    with context.working("importing big.yaml"):
        pass
    assert "importing big.yaml" in written.getvalue()


def test_nothing_reaches_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    written = _stderr(monkeypatch, terminal=False)
    with context.progress_bar("appending", 30) as advance:
        advance(30)
    with context.working("importing big.yaml"):
        pass
    assert written.getvalue() == ""
