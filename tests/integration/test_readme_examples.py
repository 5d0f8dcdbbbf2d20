"""The README's examples run as written: its label commands from the repository's root, and the
files of examples/ are what scripts/make-examples writes."""

from __future__ import annotations

import runpy
import shlex
from pathlib import Path

import pytest

from tests.support.cli import accord

ROOT = Path(__file__).resolve().parents[2]


def _block(after: str) -> list[list[str]]:
    """The commands of the first console block after the line starting with ``after``."""
    return [args for args, _comment in _commented(after)]


def _commented(after: str) -> list[tuple[list[str], str]]:
    """Each command of that block with its comment (and that of the lines continuing it: a
    command may go on over lines ending in a backslash, and its comment may be on the next)."""
    text = (ROOT / "README.md").read_text()
    start = text.index("```console", text.index(after))
    block = text[start : text.index("```\n", start + 10)].replace("\\\n", " ")
    commands: list[tuple[list[str], str]] = []
    for line in block.splitlines()[1:]:
        if line.startswith("$ accord "):
            command, _, comment = line[len("$ accord ") :].partition("  #")
            commands.append((shlex.split(command), comment))
        elif commands and line.lstrip().startswith("#"):
            args, comment = commands[-1]
            commands[-1] = (args, comment + line)
    return commands


def test_the_label_examples_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = _block("Security labels")
    assert len(commands) >= 8
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "src").symlink_to(ROOT / "src")
    for args in commands:
        result = accord(*args, home=tmp_path / "home")
        assert result.returncode == 0, (args, result.stderr)
    assert (tmp_path / "label.xml").exists()
    assert (tmp_path / "label.xep0258.xml").exists()


def test_the_examples_are_what_the_script_writes(tmp_path: Path) -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "make-examples"), run_name="examples")
    written = script["write"](tmp_path)
    assert len(written) == 24
    for path in written:
        relative = path.relative_to(tmp_path)
        assert (ROOT / "examples" / relative).read_bytes() == path.read_bytes(), relative


@pytest.mark.parametrize("nation", ["usa", "pak", "ind", "nato"])
def test_each_example_label_is_readable_by_its_officer(tmp_path: Path, nation: str) -> None:
    for suffix in ("xml", "ber", "xep0258.xml", "json"):
        label = ROOT / "examples" / "labels" / f"{nation}-secret.{suffix}"
        for clearance in ("json", "xml"):
            officer = ROOT / "examples" / "clearances" / f"{nation}-officer.{clearance}"
            result = accord("label", "check", str(label), "--clearance", str(officer),
                            home=tmp_path)  # fmt: skip
            assert result.returncode == 0, (label.name, clearance, result.stdout)


@pytest.mark.parametrize("section", ["## Using it", "Equipment transfers", "Release decisions"])
def test_the_register_examples_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str
) -> None:
    """The register's, the transfers' and the decisions' commands on a new node, in order; a
    command whose comment says it exits 3 must."""
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    assert accord("init", home=home).returncode == 0
    commands = _commented(section)
    assert len(commands) >= 2
    for args, comment in commands:
        result = accord(*args, home=home)
        expected = 3 if "exit 3" in comment else 0
        assert result.returncode == expected, (args, result.stdout, result.stderr)
