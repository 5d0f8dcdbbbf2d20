"""``accord label``: the interface other tools rely on, through the installed script, and
bad input (one line on stderr, non-zero exit, no traceback) through ``run()``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.cli.main import run
from accord.labels import stanag4774
from accord.labels.json_form import label_to_dict
from tests.support.cli import accord
from tests.support.conformance import SPIFFING, conformance_dir
from tests.support.labels import policy, rel_to

SUITE = conformance_dir() / SPIFFING


def test_marking_of_a_4774_label(tmp_path: Path) -> None:
    result = accord(
        "label",
        "marking",
        str(SUITE / "nato-4774-17-6.nato"),
        "--spif",
        str(SUITE / "nato-4774-policy.xml"),
        home=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "NATO/KFOR CONFIDENTIAL Ireland, Sweden, Ukraine, NATO ONLY\n"


def test_marking_in_french_and_to_another_policy(tmp_path: Path) -> None:
    french = accord(
        "label",
        "marking",
        str(SUITE / "nato-4774-17-4.xml"),
        "--lang",
        "fr",
        "--spif",
        str(SUITE / "nato-4774-policy.xml"),
        home=tmp_path,
    )
    assert french.stdout == "NATO DIFFUSION RESTREINTE Communicable a Japon, Suisse, Ukraine\n"
    spifs = [
        "--spif",
        str(SUITE / "tlp-plus.xml"),
        "--spif",
        str(SUITE / "tlp.xml"),
        "--spif",
        str(SUITE / "uk-demo.xml"),
    ]
    translated = accord(
        "label",
        "marking",
        str(SUITE / "tlpx-amber-eu.xml"),
        *spifs,
        "--to-policy",
        "UK",
        home=tmp_path,
    )
    assert translated.returncode == 0, translated.stderr
    assert translated.stdout == "DEMO-UK SECRET - UK / EU EYES ONLY\n"
    clearance = accord(
        "label", "marking", str(SUITE / "uk-demo-secret-uk.xml"), *spifs, home=tmp_path
    )
    assert clearance.stdout.startswith("DEMO-{OFFICIAL|SECRET|TOP SECRET}")


def test_marking_of_a_label_under_the_shipped_policies(tmp_path: Path) -> None:
    label_file = tmp_path / "label.xml"
    label_file.write_bytes(
        stanag4774.write_label(
            rel_to("USA", "SECRET", "USA", "PAK"), policy("USA"), created="2026-11-22T08:00:00Z"
        )
    )
    us = accord("label", "marking", str(label_file), home=tmp_path)
    assert us.stdout == "SECRET//REL TO USA, PAK\n"
    pak = accord("label", "marking", str(label_file), "--to-policy", "PAK", home=tmp_path)
    assert pak.stdout == "SECRET - RELEASABLE TO PAK, USA\n"


def test_policy_summary_json(tmp_path: Path) -> None:
    result = accord("label", "policy", str(SUITE / "tlp.xml"), "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["id"] == "1.2.826.0.1.6726289.0.2"
    assert summary["name"] == "TLP"
    assert [c["name"] for c in summary["classifications"]] == ["WHITE", "GREEN", "AMBER", "RED"]
    assert summary["tag_sets"][0]["name"] == "Additional Information"


def test_a_broken_policy_fails_with_its_reason(tmp_path: Path) -> None:
    result = accord("label", "policy", str(SUITE / "food-policy-borked.xml"), home=tmp_path)
    assert result.returncode == 2
    assert "Duplicate excluded classification in category" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_json_with_a_clearance(tmp_path: Path) -> None:
    args = [
        "label",
        "check",
        str(SUITE / "food-label-milk-chocolate.xml"),
        "--spif",
        str(SUITE / "food-policy.xml"),
        "--unsafe-lenient-xml",
        "--json",
    ]
    denied = accord(
        *args, "--clearance", str(SUITE / "food-clearance-lactose-intolerant.xml"), home=tmp_path
    )
    assert denied.returncode == 1
    body = json.loads(denied.stdout)
    assert (body["valid"], body["reasons"], body["acdf"]) == (True, [], "deny")
    assert "warning: line 81" in denied.stderr
    granted = accord(
        *args, "--clearance", str(SUITE / "food-clearance-all-okay.xml"), home=tmp_path
    )
    assert granted.returncode == 0
    assert json.loads(granted.stdout)["acdf"] == "grant"
    invalid = accord(
        "label",
        "check",
        str(SUITE / "food-label-meaty-milk-chocolate.xml"),
        "--spif",
        str(SUITE / "food-policy.xml"),
        "--unsafe-lenient-xml",
        "--json",
        home=tmp_path,
    )
    body = json.loads(invalid.stdout)
    assert body["valid"] is False
    assert any("Meaty excludes Animal Rights" in r for r in body["reasons"])
    assert "acdf" not in body


def test_parse_banner_json(tmp_path: Path) -> None:
    result = accord("label", "parse", "SECRET//REL TO PAK, USA", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["classification"] == "SECRET"
    assert body["rel_to"] == ["USA", "PAK"]
    assert body["banner"] == "SECRET//REL TO USA, PAK"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["label", "parse", "SECRT//REL TO USA"], "'SECRT' is not a US classification"),
        (["label", "parse", "SECRET//REL TO PAK"], "must list USA"),
        (["label", "marking", "/nonexistent/label.xml"], "cannot read"),
        (["label", "marking", str(SUITE / "stupid-label.ber")], "Unknown policy id: 1.1"),
        (
            [
                "label",
                "marking",
                str(SUITE / "food-label-water.xml"),
                "--spif",
                str(SUITE / "food-policy.xml"),
            ],
            "tag mismatch",
        ),
        (["label", "policy", str(SUITE / "food-label-water.xml")], "not an XML-SPIF policy"),
        (
            [
                "label",
                "marking",
                str(SUITE / "tlpx-amber-eu.xml"),
                "--spif",
                str(SUITE / "tlp-plus.xml"),
                "--to-policy",
                "NOPE",
            ],
            "no policy with id or name 'NOPE'",
        ),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], accord_home: Path
) -> None:
    code = run(args)
    captured = capsys.readouterr()
    assert code in (2, 3)
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


def test_convert_round_trips_through_every_encoding(
    tmp_path: Path, accord_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "label.json"
    assert run(["label", "parse", "SECRET//REL TO USA, PAK"]) == 0
    capsys.readouterr()
    original = rel_to("USA", "SECRET", "USA", "PAK")
    source.write_text(json.dumps(label_to_dict(original)))
    current = source
    for encoding in ("stanag-4774", "ber", "xep-0258", "spiffing-xml", "json"):
        target = tmp_path / f"label.{encoding}"
        assert (
            run(
                [
                    "label",
                    "convert",
                    str(current),
                    "--to",
                    encoding,
                    "-o",
                    str(target),
                    "--created",
                    "2026-11-22T08:00:00Z",
                ]
            )
            == 0
        )
        current = target
    assert json.loads(current.read_text()) == label_to_dict(original)


def test_check_translates_the_label_into_the_clearances_policy(
    accord_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """spiffing's case: a TLP label checked against a UK clearance is decided on its UK
    equivalent (it used to be denied as "under another policy"), and the output says so."""
    spifs = [
        arg for name in ("tlp-plus", "tlp", "uk-demo") for arg in ("--spif", f"{SUITE}/{name}.xml")
    ]
    args = ["label", "check", str(SUITE / "tlpx-amber-eu.xml"), *spifs]
    clearance = ["--clearance", str(SUITE / "uk-demo-secret-uk.xml")]
    assert run([*args, *clearance, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["acdf"] == "grant"
    assert body["translated_to"] == "UK"
    assert body["translated_marking"] == "DEMO-UK SECRET - UK / EU EYES ONLY"
    assert run([*args, *clearance]) == 0
    assert "translated to policy UK: DEMO-UK SECRET - UK / EU EYES ONLY" in capsys.readouterr().out


@pytest.mark.parametrize("encoding", ["stanag-4774", "ber", "xep-0258", "json", "spiffing-xml"])
def test_a_banner_makes_a_label_file_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    written = tmp_path / f"label.{encoding}"
    made = accord(
        "label", "make", "secret//rel to pak, usa", "--to", encoding, "-o", str(written),
        home=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    # The file reads back as the banner's label, in its one correct spelling.
    marked = accord("label", "marking", str(written), home=tmp_path)
    assert marked.stdout == "SECRET//REL TO USA, PAK\n", marked.stderr


def test_a_banner_is_read_under_the_policy_named(tmp_path: Path) -> None:
    made = accord("label", "make", "SECRET//REL TO USA, PAK", "--policy", "pak", "--to", "json",
                  home=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["policy"] == policy("PAK").id


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["BOGUS", "--to", "json"], "'BOGUS' is not a US classification"),
        (["SECRET", "--policy", "XYZ", "--to", "json"], "--policy 'XYZ': expected one of IND"),
        (["SECRET//REL TO USA, PAK", "--to", "yaml"], "'yaml' is not one of"),
    ],
)
def test_label_make_refuses_bad_input_in_one_line(
    tmp_path: Path, args: list[str], says: str
) -> None:
    refused = accord("label", "make", *args, home=tmp_path)
    assert refused.returncode == 2
    assert says in refused.stderr
    assert refused.stdout == ""
    assert "Traceback" not in refused.stderr


def test_a_banner_saved_as_text_is_refused_with_the_way_to_make_a_label(
    tmp_path: Path, accord_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    banner = tmp_path / "banner.txt"
    banner.write_text("SECRET//REL TO USA, PAK\n")
    for args in (
        ["label", "convert", str(banner), "--to", "ber"],
        ["label", "marking", str(banner)],
    ):
        assert run(args) == 2
        err = capsys.readouterr().err.strip()
        assert err == (
            f"error: {banner}: not a label document: neither XML, JSON nor BER; it holds the "
            "text 'SECRET//REL TO USA, PAK'; to make a label file from a banner or a marking: "
            "accord label make"
        )
