"""``accord demo --json``: three real node processes replay the public record; every step has
its outcome and reason, and the demo says whether everything matched."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import accord


def test_the_demo_tells_the_story_of_the_seeds(tmp_path: Path) -> None:
    result = accord("demo", "--json", home=tmp_path / "unused")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["ok"] is True
    steps = report["steps"]
    for step in steps:
        assert {"date", "from", "to", "capability", "outcome", "reason"} <= set(step)
    outcomes = [(s["date"][:10], s["to"], s["capability"], s["outcome"]) for s in steps]
    assert ("2006-06-01", "PAK", "secure-communications", "delivered") in outcomes
    assert ("2021-06-01", "PAK", "secure-communications", "refused") in outcomes
    assert ("2023-09-15", "PAK", "secure-communications", "delivered") in outcomes
    assert ("2023-09-20", "PAK", "geospatial-intelligence", "refused") in outcomes
    assert ("2019-06-01", "IND", "geospatial-intelligence", "refused") in outcomes
    assert ("2021-06-01", "IND", "geospatial-intelligence", "delivered") in outcomes
    assert ("2020-09-15", "PAK", "secure-communications", "held") in outcomes
    lapsed = next(s for s in steps if s["outcome"] == "held")
    assert "not in force" in lapsed["reason"]
    assert report["receipts_verified"] == sum(1 for s in steps if s["outcome"] == "delivered")
    assert all(a.startswith("operator data") for a in report["assumptions"])
    # PAK and IND each cosigned USA's log; every release decision USA logged is proved in it.
    cosigned = {c["witness"]: c for c in report["cosigned_checkpoints"]}
    assert set(cosigned) == {"pak.example", "ind.example"}
    for item in cosigned.values():
        assert item["verified"] is True
        assert item["inclusion_proofs"] == len(steps) - 1  # the re-delivery is not a new release
