"""The CLI through its real entry point: a subprocess of the installed ``accord`` script for the
interface other tools rely on, and ``run()`` (what the script calls) for the rest."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from accord.cli import context
from accord.cli.main import COMMANDS, run
from accord.clock import FixedClock
from tests.support.cli import accord, accord_process, every_command


@pytest.fixture
def initialised(accord_home, monkeypatch, capsys):
    monkeypatch.setattr(context, "clock", FixedClock(dt.date(2026, 11, 22)))
    assert run(["init"]) == 0
    capsys.readouterr()
    return accord_home


def test_status_json_interface(tmp_path):
    """The installed script, as other tools run it: exit codes, JSON on stdout, the default day."""
    home = tmp_path / "home"
    assert accord_process("init", home=home).returncode == 0
    result = accord_process(
        "agreements",
        "status",
        "USA",
        "PAK",
        "--type",
        "CISMOA",
        "--on",
        "2021-06-01",
        "--json",
        home=home,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["id"], r["type"], r["parties"], r["status"], r["in_force"]) for r in rows] == [
        ("pak-usa-cismoa", "CISMOA", ["PAK", "USA"], "lapsed", False)
    ]
    # Without --on, the day is the node's today (here a fixed one: no test depends on the date).
    clock_file = tmp_path / "clock"
    clock_file.write_text("2026-11-22")
    india = accord_process(
        "agreements",
        "status",
        "IND",
        "USA",
        "--type",
        "COMCASA",
        "--json",
        home=home,
        ACCORD_UNSAFE_CLOCK_FILE=str(clock_file),
    )
    assert [(r["id"], r["on"]) for r in json.loads(india.stdout)] == [
        ("ind-usa-comcasa", "2026-11-22")
    ]
    assert "UNSAFE" in india.stderr
    usage = accord_process("agreements", "status", "USA", home=home)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agreements", "status", "USA", "PAK", "--on", "2023-13-01"], "--on: invalid date"),
        (["agreements", "status", "USA", "XYZ"], "unknown nation 'XYZ'"),
        (["agreements", "status", "USA", "PAK", "--type", "FOO"], "unknown agreement type"),
        (
            ["agreements", "record", "pak-usa-acsa-2002", "renewed", "--date", "2000"],
            "before the signing",
        ),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path, args, message):
    home = tmp_path / "home"
    accord("init", home=home)
    before = accord("agreements", "export", home=home).stdout
    result = accord(*args, home=home)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert accord("agreements", "export", home=home).stdout == before


def test_commands_before_init_say_what_to_do(tmp_path):
    result = accord("agreements", "list", home=tmp_path / "nothing")
    assert result.returncode == 2
    assert "run 'accord init' first" in result.stderr
    assert not (tmp_path / "nothing").exists()


def test_init_is_idempotent(accord_home, capsys):
    assert run(["init"]) == 0
    assert "Initialised Accord" in capsys.readouterr().out
    assert (accord_home / "accord.db").stat().st_mode & 0o777 == 0o600
    assert accord_home.stat().st_mode & 0o777 == 0o700
    assert run(["init"]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_list_and_filters(initialised, capsys):
    assert run(["agreements", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6
    assert run(["agreements", "list", "--nation", "PAK", "--type", "GSOMIA", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # An alias selects its canonical type: LEMOA is an LSA, as is Pakistan's ACSA.
    assert run(["agreements", "list", "--type", "lemoa", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [
        "ind-usa-lemoa",
        "pak-usa-acsa-2002",
    ]
    assert run(["agreements", "list"]) == 0
    assert "pak-usa-cismoa" in capsys.readouterr().out


def test_show(initialised, capsys):
    assert run(["agreements", "show", "pak-usa-cismoa"]) == 0
    text = capsys.readouterr().out
    assert "Joint Staff Headquarters (PAK)" in text
    assert "thediplomat.com" in text
    assert run(["agreements", "show", "pak-usa-cismoa", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert [t["start"] for t in view["terms"]] == ["2005-10", "2023-08"]
    assert view["status"]["status"] == "in-force"


def test_status_text(initialised, capsys):
    assert run(["agreements", "status", "PAK", "USA", "--on", "2021-06-01"]) == 0
    out = capsys.readouterr().out
    assert "lapsed since 2020-10" in out
    assert "renewed 2023-08" in out


def test_capabilities(initialised, capsys):
    assert run(["agreements", "capabilities", "USA", "IND", "--activity", "basing", "--json"]) == 0
    openings = {o["capability"]: o for o in json.loads(capsys.readouterr().out)["channels"]}
    assert "logistics-support" not in openings
    assert openings["secure-communications"]["until"] == "2028-09-06"
    assert run(["agreements", "capabilities", "USA", "IND", "--activity", "surfing"]) == 2
    assert "unknown activity" in capsys.readouterr().err


def test_timeline_shows_the_lapse(initialised, capsys):
    assert run(["agreements", "timeline", "--nation", "PAK"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("pak-usa-cismoa"))
    bar = row[len("pak-usa-cismoa") :].strip()
    assert "█─" in bar
    assert "─█" in bar
    assert "ind-usa" not in out
    # Pakistan's transfer cases as marks, one per case (at its first event).
    marks = next(line for line in out.splitlines() if line.startswith("transfers to PAK"))
    assert marks.count("◆") == 5
    assert "transfers to IND" not in out


def test_expiring(initialised, capsys):
    assert run(["agreements", "expiring", "--within", "2y", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["days_left"]) for r in rows] == [("ind-usa-comcasa", 654)]
    assert run(["agreements", "expiring", "--within", "30d"]) == 0
    assert "No agreement" in capsys.readouterr().out
    assert run(["agreements", "expiring", "--within", "soon"]) == 2


def test_export_import_round_trip(initialised, tmp_path, capsys, monkeypatch):
    exported = tmp_path / "register.json"
    assert run(["agreements", "export", "--format", "json", "-o", str(exported)]) == 0
    capsys.readouterr()
    assert run(["agreements", "export"]) == 0
    yaml_text = capsys.readouterr().out
    other = tmp_path / "other-home"
    monkeypatch.setenv("ACCORD_HOME", str(other))
    assert run(["init"]) == 0
    assert run(["agreements", "import", str(exported)]) == 0
    assert "Nothing to import" in capsys.readouterr().out
    assert run(["agreements", "export"]) == 0
    assert capsys.readouterr().out == yaml_text


def test_import_is_all_or_nothing_and_names_the_line(initialised, tmp_path, capsys):
    document = tmp_path / "new.yaml"
    document.write_text(
        "schema: accord.register/1\n"
        "agreements:\n"
        "  - id: gbr-usa-gsomia\n"
        "    type: GSOMIA\n"
        "    parties: [GBR, USA]\n"
        "    events:\n"
        "      - {kind: signed, date: 2001-05-01}\n"
        "  - id: fra-usa-gsomia\n"
        "    type: GSOMIA\n"
        "    parties: [FRA, USA]\n"
        "    events:\n"
        "      - kind: signed\n"
        "        date: 2001-13-01\n"
    )
    assert run(["agreements", "import", str(document)]) == 2
    err = capsys.readouterr().err
    assert "line 13" in err
    assert "agreements[1].events[0].date" in err
    assert run(["agreements", "show", "gbr-usa-gsomia"]) == 3  # nothing was written
    capsys.readouterr()
    document.write_text(document.read_text().replace("2001-13-01", "2001-12-01"))
    assert run(["agreements", "import", str(document)]) == 0
    out = capsys.readouterr().out
    assert "agreement gbr-usa-gsomia" in out
    assert "agreement fra-usa-gsomia" in out
    assert run(["agreements", "status", "GBR", "USA", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["in_force"] is True


def test_import_refuses_oversized_and_unknown_files(initialised, tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_text("schema: accord.register/1\n" + "#" * 2000)
    monkeypatch.setenv("ACCORD_LIMIT_IMPORT_BYTES", "1000")
    assert run(["agreements", "import", str(big)]) == 2
    assert "limit is 1000" in capsys.readouterr().err
    assert run(["agreements", "import", str(tmp_path / "x.txt")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err


def test_record(initialised, capsys):
    assert (
        run(
            [
                "agreements",
                "record",
                "ind-usa-comcasa",
                "suspended",
                "--date",
                "2026-01-01",
                "--source",
                "https://example.org/news",
                "--note",
                "test",
            ]
        )
        == 0
    )
    assert "suspended" in capsys.readouterr().out
    assert run(["agreements", "show", "ind-usa-comcasa", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert view["status"]["status"] == "suspended"
    assert view["sources"][-1]["url"] == "https://example.org/news"
    assert (
        run(
            [
                "agreements",
                "record",
                "ind-usa-comcasa",
                "renewed",
                "--date",
                "2026-02",
                "--term",
                "forever",
            ]
        )
        == 2
    )
    assert "--term: invalid term" in capsys.readouterr().err
    assert (
        run(
            [
                "agreements",
                "record",
                "ind-usa-comcasa",
                "amended",
                "--date",
                "2026-02",
                "--source",
                "ftp://x",
            ]
        )
        == 2
    )
    assert "--source" in capsys.readouterr().err


def test_types(initialised, capsys):
    assert run(["agreements", "types", "--json"]) == 0
    types = {t["code"]: t for t in json.loads(capsys.readouterr().out)}
    assert "COMCASA" in types["CISMOA"]["aliases"]


def test_usage_errors_exit_2(initialised, capsys):
    assert run(["agreements", "status"]) == 2
    assert run(["agreements", "frobnicate"]) == 2
    assert run(["--version"]) == 0


def test_postgresql_database_url(postgresql_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ACCORD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCORD_DATABASE_URL", postgresql_url)
    monkeypatch.setattr(context, "clock", FixedClock(dt.date(2026, 11, 22)))
    assert run(["init"]) == 0
    assert run(["agreements", "status", "USA", "PAK", "--on", "2021-06-01", "--json"]) == 0
    capsys.readouterr()
    assert run(["init"]) == 0
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_loads_and_has_help(name, tmp_path):
    # Commands are imported on first use (so that --version is fast): each must still load, as
    # the group or single command it is, with its help.
    result = accord(name, "--help", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Usage: accord {name}" in result.stdout
    # Plain text: no reStructuredText literals, and completion is offered once, at the top.
    assert "``" not in result.stdout
    assert "--install-completion" not in result.stdout
    assert "<bool>" not in result.stdout  # a flag takes no value: its type says nothing


def test_config_show_says_where_each_setting_came_from(tmp_path: Path) -> None:
    (tmp_path / "accord.toml").write_text(
        'node_name = "usa.example"\n[limits]\nlabel_bytes = 5000\n'
    )
    secret_url = "postgresql+psycopg://accord:s3cret@db.example/accord"
    shown = accord(
        "config", "show", "--json", home=tmp_path,
        ACCORD_DATABASE_URL=secret_url, ACCORD_LIMIT_POLICY_BYTES="9000",
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    rows = {row["name"]: row for row in json.loads(shown.stdout)}
    assert rows["node_name"]["value"] == "usa.example"
    assert rows["node_name"]["source"] == f"file ({tmp_path / 'accord.toml'})"
    assert rows["limits.label_bytes"]["value"] == 5000
    assert rows["limits.policy_bytes"] == {
        "name": "limits.policy_bytes",
        "value": 9000,
        "source": "environment (ACCORD_LIMIT_POLICY_BYTES)",
    }
    assert rows["evidence"] == {"name": "evidence", "value": "reported", "source": "default"}
    # A database password is never shown, in JSON or as text.
    assert rows["database_url"]["value"] == "postgresql+psycopg://accord:***@db.example/accord"
    text = accord("config", "show", home=tmp_path, ACCORD_DATABASE_URL=secret_url)
    assert "s3cret" not in text.stdout + text.stderr
    assert 'node_name = "usa.example"  # file' in text.stdout


def test_help_groups_the_commands_and_keeps_sentences_whole(tmp_path: Path) -> None:
    shown = accord("--help", home=tmp_path, COLUMNS="200").stdout
    headings = ("Register", "Labels", "Messages", "Node", "Federation", "Log")
    positions = [shown.index(f"─ {heading} ") for heading in headings]
    assert positions == sorted(positions)
    assert shown.index("agreements") < shown.index("─ Labels ") < shown.index(" label ")
    assert "--install-completion" in shown  # shell completion is installable
    assert "``" not in shown
    assert "<bool>" not in shown
    # On a wide terminal every command's summary is one line: no sentence broken by the
    # source's own line breaks (init's summary used to break after "with").
    init = next(line for line in shown.splitlines() if "│ init " in line)
    assert "signed descriptor." in init


def test_every_option_says_what_it_expects(tmp_path: Path) -> None:
    """No Python type in any command's help (``<str>``, ``<path>``, ``<int range>``): an option
    names what it takes (``DATE``, ``NATION``, ``FILE``) or its choices; an argument is named in
    capitals, as the usage line names it."""
    for words in every_command():
        shown = accord(*words.split(), "--help", home=tmp_path, COLUMNS="120").stdout
        assert not re.search(r"<(str|path|int|float|bool|int range|float range)>", shown), words
        assert not re.search(r"│ [ *] {2,4}[a-z][a-z_]* ", shown), words
    # Every argument says what it is.
    for words, command in every_command().items():
        for param in command.params:
            if param.param_type_name == "argument":
                assert param.help, (words, param.name)


def test_status_over_a_range(initialised, capsys):
    """--from/--to: each agreement's statuses period by period; a year names all its days."""
    assert run(["agreements", "status", "USA", "PAK", "--from", "2020", "--to", "2021",
                "--json"]) == 0  # fmt: skip
    found = {a["id"]: a for a in json.loads(capsys.readouterr().out)}
    cismoa, gsomia = found["pak-usa-cismoa"], found["unknown:pak-usa-gsomia"]
    assert [(p["from"], p["to"], p["status"]) for p in cismoa["periods"]] == [
        ("2020-01-01", "2020-09-30", "in-force"),
        ("2020-10-01", "2020-10-30", "uncertain"),
        ("2020-10-31", "2021-12-31", "lapsed"),
    ]
    assert gsomia["status"] == "unknown"
    assert run(["agreements", "status", "USA", "PAK", "--from", "2020-10", "--to", "2020-10"]) == 0
    out = capsys.readouterr().out
    assert "from 2020-10-01 to 2020-10-31" in out
    assert "2020-10-31 to 2020-10-31: lapsed" in out


def test_capabilities_over_a_range_and_channels_is_the_same_command(initialised, capsys):
    assert run(["agreements", "capabilities", "USA", "PAK", "--from", "2019", "--to", "2024",
                "--json"]) == 0  # fmt: skip
    ranged = json.loads(capsys.readouterr().out)
    assert (ranged["from"], ranged["to"]) == ("2019-01-01", "2024-12-31")
    secure = [c for c in ranged["channels"] if c["capability"] == "secure-communications"]
    assert [(c["from"], c["to"]) for c in secure] == [
        ("2019-01-01", "2020-09-30"),
        ("2023-08-31", "2024-12-31"),
    ]
    assert run(["channels", "USA", "PAK", "--from", "2019", "--to", "2024", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ranged
    assert run(["channels", "USA", "PAK", "--on", "2021-06-01"]) == 0
    assert "Nothing is open between USA and PAK on 2021-06-01" in capsys.readouterr().out


def test_changes_in_a_range_with_their_sources(initialised, capsys):
    assert run(["agreements", "changes", "USA", "PAK", "--from", "2020", "--to", "2020",
                "--json"]) == 0  # fmt: skip
    found = json.loads(capsys.readouterr().out)
    assert [(c["agreement"], c["date"], c["status"]) for c in found["changes"]] == [
        ("pak-usa-cismoa", "2020-10", "lapsed")
    ]
    (expired,) = found["events"]
    assert expired["kind"] == "expired"
    assert all(s["title"] for s in expired["sources"])
    assert run(["agreements", "changes", "--from", "2018", "--to", "2018"]) == 0
    out = capsys.readouterr().out
    assert "ind-usa-comcasa -> in-force" in out
    assert "Events, with their sources" in out


def test_timeline_over_a_range(initialised, capsys):
    assert run(["agreements", "timeline", "--nation", "PAK", "--from", "2019", "--to", "2024",
                "--json"]) == 0  # fmt: skip
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert [p["status"] for p in rows["pak-usa-cismoa"]["periods"]] == [
        "in-force", "uncertain", "lapsed", "uncertain", "in-force",
    ]  # fmt: skip
    assert run(["agreements", "timeline", "--nation", "PAK", "--from", "2019", "--to", "2024"]) == 0
    out = capsys.readouterr().out
    assert "2020" in out
    assert "today" not in out  # 2026 is outside the chart
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agreements", "status", "USA", "PAK", "--on", "2020"],
         "--on takes a single day YYYY-MM-DD; for '2020' as a period give --from 2020 --to 2020"),
        (["agreements", "status", "USA", "PAK", "--to", "2020"], "--to needs --from"),
        (["agreements", "status", "USA", "PAK", "--from", "2021", "--to", "2020"],
         "the range ends (2020-12-31, --to) before it starts (2021-01-01, --from)"),
        (["agreements", "status", "USA", "PAK", "--from", "2020", "--on", "2020-01-01"],
         "give --on DAY or a range --from/--to, not both"),
        (["agreements", "capabilities", "USA", "PAK", "--from", "2020-13"],
         "--from: invalid date '2020-13': month must be in 1..12"),
        (["agreements", "changes", "USA"], "give two nations, or none"),
        (["agreements", "changes", "USA", "PAK"], "give the range: --from DATE"),
        (["decide", "--from", "USA", "--to", "PAK", "--label", "UNCLASSIFIED", "--capability",
          "secure-communications", "--activity", "joint-exercises", "--on", "2021-06"],
         "--on takes a single day"),
    ],
)  # fmt: skip
def test_dates_refused_in_one_line(initialised, capsys, args, message):
    assert run(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agreements", "status", "USA"], "Missing argument 'NATION' (see 'accord agreements"),
        (["bogus"], "No such command 'bogus' (see 'accord --help')"),
        (["agreements", "list", "--bogus"], "No such option: --bogus"),
        (["messages", "list", "--state", "lost"], "Invalid value for '--state'"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, args, message):
    """Typer's own errors (a missing argument, an unknown option) are told like Accord's: one
    line on stderr, exit 2, no box drawn around them."""
    result = accord(*args, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_arguments_print_the_help(tmp_path):
    result = accord("agreements", home=tmp_path)
    assert "Usage: accord agreements" in result.stdout
