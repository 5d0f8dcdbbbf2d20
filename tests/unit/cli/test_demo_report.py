"""``accord demo``'s report reads in 80 columns: one line per step, its reason wrapped at words
below it, no word broken."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from accord.cli import context, demo


def _result() -> dict[str, object]:
    reason = (
        "pak-usa-cismoa lapsed since 2020-10 (expired 2020-10 at the end of the 15-year term "
        "from 2005-10); then renewed 2023-08 for a 15-year term; on 2020-11-15 it was not in force"
    )
    steps = [
        {"date": step.date if not step.lapses_on else f"{step.date} -> {step.lapses_on}",
         "to": step.to, "capability": step.capability, "outcome": step.expected,
         "reason": reason, "matched": True}
        for step in demo.STEPS
    ]  # fmt: skip
    cosigned = [{"witness": "pak.example", "verified": True, "size": 16, "inclusion_proofs": 7}]
    return {"steps": steps, "assumptions": demo.ASSUMPTIONS, "cosigned_checkpoints": cosigned,
            "receipts_verified": 4, "ok": True}  # fmt: skip


def test_the_report_fits_80_columns_without_breaking_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written = io.StringIO()
    monkeypatch.setattr(context, "out", Console(file=written, width=80, soft_wrap=True))
    demo._print_report(_result())
    lines = written.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    printed = set(" ".join(lines).split())
    assert {"secure-communications", "geospatial-intelligence"} <= printed
    for said in [f"assumed ({a})" for a in demo.ASSUMPTIONS] + [
        str(_result()["steps"][0]["reason"])
    ]:  # type: ignore[index]
        assert set(said.split()) <= printed, said
    assert lines[-1] == "4 signed receipts verified; everything matched."


def test_one_progress_line_is_counted_for_each_told_line() -> None:
    # 3 prepared, peered, 3 started, serving, 7 steps, 1 re-delivery, the witnessing.
    assert demo.told_lines() == 3 + 1 + 3 + 1 + len(demo.STEPS) + 1 + 1
