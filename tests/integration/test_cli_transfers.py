"""``accord transfers``: the interface other tools rely on (the check's JSON and exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.cli.main import run


@pytest.fixture
def node(accord_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init"]) == 0
    capsys.readouterr()


def test_check_by_buyer_category_and_day(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["transfers", "check", "--buyer", "PAK", "--category", "comsec-equipment", "--json"]
    assert run([*args, "--on", "2022-09-07"]) == 3
    lapse = json.loads(capsys.readouterr().out)
    assert (lapse["covered"], lapse["status"], lapse["agreements"]) == (False, "not-covered", [])
    assert {r["rule"] for r in lapse["reasons"]} == {"agreement-in-force"}
    assert all(set(r) == {"rule", "outcome", "message"} for r in lapse["reasons"])
    assert run([*args, "--on", "2024-01-15"]) == 0
    renewed = json.loads(capsys.readouterr().out)
    assert (renewed["covered"], renewed["status"]) == (True, "covered")
    assert renewed["agreements"] == ["pak-usa-cismoa"]


def test_check_a_case_at_each_of_its_events(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["transfers", "check", "ind-p8i-2021", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["covered"] is True
    assert body["agreements"] == ["ind-usa-comcasa"]
    assert [e["event"] for e in body["events"]] == ["notified"]
    assert run(["transfers", "check", "pak-f16-sustainment-2022"]) == 3
    assert "classified-technology: unknown" in capsys.readouterr().out


def test_list_and_show(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["transfers", "list", "--buyer", "IND", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["buyer"] for c in listed} == {"IND"}
    assert "ind-c130j-2007" in {c["id"] for c in listed}
    assert run(["transfers", "show", "pak-f16-upgrade-2025"]) == 0
    assert "92 x Link-16 tactical data link systems [comsec-equipment]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (
            ["check", "--buyer", "PAK", "--category", "warp", "--on", "2022-01-01"],
            "unknown item category",
            2,
        ),
        (
            ["check", "--buyer", "ZZZ", "--category", "comsec-equipment", "--on", "2022-01-01"],
            "ZZZ",
            2,
        ),
        (
            ["check", "--buyer", "PAK", "--category", "comsec-equipment", "--on", "2022-13-01"],
            "--on",
            2,
        ),
        (["check", "--buyer", "PAK"], "all of --buyer, --category and --on", 2),
        (["check", "no-such-case"], "no transfer case", 3),
        (["show", "no-such-case"], "no transfer case", 3),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    node: None, capsys: pytest.CaptureFixture[str], args: list[str], message: str, code: int
) -> None:
    assert run(["transfers", *args]) == code
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_evidence_changes_the_answers(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    """The Pakistan CISMOA's renewal was reported, never officially announced: an official-only
    reading leaves the 2025 Link-16 upgrade uncovered, and the release decision denied."""
    assert run(["transfers", "check", "pak-f16-upgrade-2025", "--json"]) == 0
    capsys.readouterr()
    assert run(["transfers", "check", "pak-f16-upgrade-2025", "--evidence", "official"]) == 3
    assert "comsec-equipment: not-covered" in capsys.readouterr().out
    status = ["agreements", "status", "USA", "PAK", "--type", "CISMOA", "--on", "2024-01-01"]
    assert run([*status, "--json"]) == 0
    reported = json.loads(capsys.readouterr().out)
    assert (reported[0]["status"], reported[0]["evidence"]) == ("in-force", "reported")
    assert run([*status, "--json", "--evidence", "official"]) == 0
    official = json.loads(capsys.readouterr().out)
    assert (official[0]["status"], official[0]["evidence"]) == ("not-yet-in-force", None)
    decide = [
        "decide", "--from", "USA", "--to", "PAK", "--label", "UNCLASSIFIED",
        "--capability", "secure-communications", "--activity", "joint-exercises",
        "--clearance", "SECRET", "--on", "2024-01-01", "--json",
    ]  # fmt: skip
    assert run(decide) == 0
    permitted = json.loads(capsys.readouterr().out)
    assert any("on reported evidence" in r["message"] for r in permitted["reasons"])
    assert run([*decide, "--evidence", "official"]) == 3
    capsys.readouterr()
    assert run([*decide, "--evidence", "rumour"]) == 2
    assert "unknown evidence grade 'rumour'" in capsys.readouterr().err


def test_unknown_is_not_absent(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    status = ["agreements", "status", "USA", "PAK", "--type", "GSOMIA", "--json"]
    assert run(status) == 0
    (unknown,) = json.loads(capsys.readouterr().out)
    assert (unknown["status"], unknown["in_force"], unknown["type"]) == ("unknown", False, "GSOMIA")
    args = ["transfers", "check", "--buyer", "PAK", "--category", "classified-technology"]
    assert run([*args, "--on", "2022-09-07", "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["status"] == "unknown"
    absent = ["transfers", "check", "--buyer", "PAK", "--category", "geospatial-products"]
    assert run([*absent, "--on", "2022-09-07", "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["status"] == "not-covered"


def test_what_if(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["transfers", "what-if", "--buyer", "PAK", "--category", "comsec-equipment"]
    args += ["--on", "2022-09-07", "--remove", "pak-usa-cismoa expired 2020-10"]
    args += ["--remove", "pak-usa-cismoa renewed 2023-08"]
    assert run([*args, "--add", "pak-usa-cismoa renewed 2020-10 15y", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["before"]["status"], body["after"]["status"]) == ("not-covered", "covered")
    assert body["changes"][-1] == "add pak-usa-cismoa renewed 2020-10 for 15y"
    assert run(["transfers", "what-if", "ind-p8i-2021"]) == 2
    assert "at least one --add or --remove" in capsys.readouterr().err
