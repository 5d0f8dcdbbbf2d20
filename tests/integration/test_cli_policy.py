"""``accord decide`` and ``accord channels``: the interface other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import accord


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("policy") / "home"
    assert accord("init", home=home).returncode == 0
    return home


def test_decide_json_denies_during_the_lapse(home: Path) -> None:
    result = accord(
        "decide",
        "--from",
        "USA",
        "--to",
        "PAK",
        "--label",
        "SECRET//REL TO USA, PAK",
        "--capability",
        "secure-communications",
        "--activity",
        "joint-exercises",
        "--clearance",
        "SECRET",
        "--on",
        "2021-06-01",
        "--json",
        home=home,
    )
    assert result.returncode == 3, result.stderr
    body = json.loads(result.stdout)
    assert body["permit"] is False
    assert all(set(r) >= {"rule", "outcome", "message"} for r in body["reasons"])
    agreement = next(r for r in body["reasons"] if r["rule"] == "agreement-in-force")
    assert "on 2021-06-01 it was not in force" in agreement["message"]
    assert body["register_version"] == "revision 1, evidence reported"


def test_decide_permits_geospatial_intelligence_to_india_after_beca(home: Path) -> None:
    result = accord(
        "decide",
        "--from",
        "USA",
        "--to",
        "IND",
        "--label",
        "SECRET//REL TO USA, IND",
        "--capability",
        "geospatial-intelligence",
        "--activity",
        "operations",
        "--clearance",
        "SECRET",
        "--on",
        "2021-06-01",
        home=home,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("PERMIT")
    assert "no-third-party-release" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "XXX"], "unknown nation 'XXX'"),
        (["--capability", "telepathy"], "unknown capability 'telepathy'"),
        (["--activity", "picnics"], "picnics"),
        (["--clearance", "ULTRA"], "'ULTRA' is not a level of PAK's policy"),
        (["--label", "SECRT//REL TO USA"], "'SECRT' is not a US classification"),
        (["--on", "2021-13-01"], "2021-13-01"),
    ],
)
def test_bad_input_exits_2(home: Path, args: list[str], message: str) -> None:
    base = {
        "--from": "USA",
        "--to": "PAK",
        "--label": "SECRET//REL TO USA, PAK",
        "--capability": "secure-communications",
        "--activity": "joint-exercises",
        "--clearance": "SECRET",
        "--on": "2024-06-01",
    }
    base[args[0]] = args[1]
    flat = [item for pair in base.items() for item in pair]
    result = accord("decide", *flat, home=home)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_channels_json(home: Path) -> None:
    result = accord("channels", "USA", "PAK", "--on", "2024-06-01", "--json", home=home)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["nations"] == ["PAK", "USA"]
    assert {c["capability"] for c in body["channels"]} == {
        "comsec-equipment",
        "secure-communications",
    }
    closed = json.loads(
        accord("channels", "USA", "PAK", "--on", "2021-06-01", "--json", home=home).stdout
    )
    assert closed["channels"] == []


def test_a_banner_is_read_under_the_releasing_nations_policy(home: Path) -> None:
    # Released by PAK, the banner is PAK's label: PAK originated it, no other nation's consent
    # is needed (read under USA's policy, it would be USA's information released by PAK).
    result = accord(
        "decide", "--from", "PAK", "--to", "USA", "--label", "SECRET//REL TO USA, PAK",
        "--capability", "secure-communications", "--activity", "joint-exercises",
        "--on", "2024-01-01", "--json", home=home,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    reasons = {r["rule"]: r for r in json.loads(result.stdout)["reasons"]}
    assert reasons["originator-consent"]["message"] == "PAK originated the information (its label)"
