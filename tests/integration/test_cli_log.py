"""``accord log`` through the installed script: the interface other tools rely on."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from accord.tlog.merkle import verify_consistency, verify_inclusion
from accord.tlog.note import VerifierKey, open_note, parse
from tests.support.cli import accord


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("log") / "home"
    assert accord("init", home=home).returncode == 0
    result = accord("log", "append-test", "300", "--batch", "64", home=home)
    assert result.returncode == 0, result.stderr
    return home


def test_checkpoint_is_a_c2sp_note_signed_by_the_verifier_key(home: Path) -> None:
    note_text = accord("log", "checkpoint", home=home).stdout
    lines = note_text.split("\n")
    assert lines[0] == "accord.local/log"
    assert lines[1] == "300"
    assert len(base64.b64decode(lines[2])) == 32
    assert lines[3] == ""
    assert lines[4].startswith("\u2014 accord.local/log ")
    vkey = accord("log", "checkpoint", "--key", home=home).stdout.strip()
    name, key_id, material = vkey.split("+", 2)
    assert name == "accord.local/log"
    assert len(key_id) == 8
    assert base64.b64decode(material)[0] == 0x01
    assert open_note(parse(note_text), [VerifierKey.parse(vkey)]) == ("accord.local/log",)


def test_prove_and_consistency_json(home: Path) -> None:
    proof = json.loads(accord("log", "prove", "123", "--size", "200", "--json", home=home).stdout)
    assert set(proof) == {"index", "size", "leaf_hash", "root_hash", "proof"}
    assert (proof["index"], proof["size"]) == (123, 200)
    assert verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        123,
        200,
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
    )
    consistency = json.loads(accord("log", "consistency", "77", "300", "--json", home=home).stdout)
    assert set(consistency) == {"old_size", "new_size", "old_root", "new_root", "proof"}
    assert verify_consistency(
        77,
        300,
        bytes.fromhex(consistency["old_root"]),
        bytes.fromhex(consistency["new_root"]),
        [bytes.fromhex(h) for h in consistency["proof"]],
    )
    assert (
        consistency["new_root"]
        == json.loads(accord("log", "prove", "0", "--json", home=home).stdout)["root_hash"]
    )


def test_show_json(home: Path) -> None:
    shown = json.loads(accord("log", "show", "5", "--json", home=home).stdout)
    assert shown["entry"] == {"n": 5, "type": "test", "v": 1}
    assert len(shown["leaf_hash"]) == 64


def test_offline_verification(home: Path, tmp_path: Path) -> None:
    files = {
        "checkpoint": accord("log", "checkpoint", home=home).stdout,
        "key": accord("log", "checkpoint", "--key", home=home).stdout,
        "entry": accord("log", "show", "42", "--json", home=home).stdout,
        "proof": accord("log", "prove", "42", "--json", home=home).stdout,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = [f"--{name}={tmp_path / name}" for name in files]
    ok = accord("log", "verify", *args, home=tmp_path / "elsewhere")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "verified: entry 42 is in accord.local/log at size 300\n"
    (tmp_path / "entry").write_text(json.dumps({"n": 43, "type": "test", "v": 1}))
    bad = accord("log", "verify", *args, home=tmp_path / "elsewhere")
    assert bad.returncode == 5
    assert "NOT verified" in bad.stderr
    (tmp_path / "proof").write_text("{not json")
    malformed = accord("log", "verify", *args, home=tmp_path / "elsewhere")
    assert malformed.returncode == 2
    assert "Traceback" not in malformed.stderr


def test_bad_requests(home: Path) -> None:
    missing = accord("log", "show", "100000", home=home)
    assert missing.returncode == 3
    assert "no entry 100000" in missing.stderr
    beyond = accord("log", "prove", "5", "--size", "1000", home=home)
    assert beyond.returncode == 3
    uninitialised = accord("log", "checkpoint", home=home.parent / "nothing")
    assert uninitialised.returncode == 2
    assert "accord init" in uninitialised.stderr
