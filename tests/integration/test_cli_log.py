"""``accord log`` through the installed script: the interface other tools rely on."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from accord.crypto.signing import Ed25519Signer
from accord.tlog.checkpoint import Checkpoint
from accord.tlog.merkle import verify_consistency, verify_inclusion
from accord.tlog.note import VerifierKey, open_note, parse
from accord.tlog.witness import cosign_text, witness_key
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


def test_a_proof_against_a_saved_checkpoint_verifies_after_the_log_grew(tmp_path: Path) -> None:
    """The recipe of docs/tlog.md on a live node: the checkpoint is saved, the log grows, the
    proof is taken against the saved checkpoint and verifies with it."""
    home = tmp_path / "live"
    assert accord("init", home=home).returncode == 0
    assert accord("log", "append-test", "50", home=home).returncode == 0
    files = {
        "checkpoint": accord("log", "checkpoint", home=home).stdout,
        "key": accord("log", "checkpoint", "--key", home=home).stdout,
        "entry": accord("log", "show", "42", "--json", home=home).stdout,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert accord("log", "append-test", "20", home=home).returncode == 0  # the log moves on
    one = accord("log", "append-test", "1", home=home)
    assert "appended 1 entry;" in one.stderr + one.stdout
    current = accord("log", "prove", "42", "--json", home=home).stdout
    assert json.loads(current)["size"] == 71
    saved = accord(
        "log", "prove", "42", "--checkpoint", str(tmp_path / "checkpoint"), "--json", home=home
    )
    assert saved.returncode == 0, saved.stderr
    assert json.loads(saved.stdout)["size"] == 50
    args = [f"--{name}={tmp_path / name}" for name in files]
    for proof, verifies in ((current, False), (saved.stdout, True)):
        (tmp_path / "proof").write_text(proof)
        checked = accord("log", "verify", *args, f"--proof={tmp_path / 'proof'}", home=home)
        assert (checked.returncode == 0) is verifies, checked.stderr
    saved_file = str(tmp_path / "checkpoint")
    both = accord("log", "prove", "42", "--size", "50", "--checkpoint", saved_file, home=home)
    assert both.returncode == 2
    assert "at most one of --size and --checkpoint" in both.stderr
    # A checkpoint of another log is refused: its size means nothing here.
    other = tmp_path / "other"
    assert accord("init", home=other).returncode == 0
    (tmp_path / "foreign").write_text(accord("log", "checkpoint", home=other).stdout)
    foreign = accord("log", "prove", "0", "--checkpoint", str(tmp_path / "foreign"), home=home)
    assert foreign.returncode == 2
    assert "--checkpoint" in foreign.stderr


def test_a_witness_cosignature_is_verified_with_the_witness_key(home: Path, tmp_path: Path) -> None:
    note_text = accord("log", "checkpoint", home=home).stdout
    checkpoint = Checkpoint.parse(parse(note_text).text)
    witness, stranger = Ed25519Signer.generate(), Ed25519Signer.generate()
    cosignature = cosign_text(checkpoint.body(), "pak.example", witness, 1_764_000_000)
    files = {
        "checkpoint": parse(note_text).with_signature(cosignature).encode(),
        "key": accord("log", "checkpoint", "--key", home=home).stdout,
        "entry": accord("log", "show", "42", "--json", home=home).stdout,
        "proof": accord("log", "prove", "42", "--json", home=home).stdout,
        "witness": witness_key("pak.example", witness.public_key).encode(),
        "stranger": witness_key("pak.example", stranger.public_key).encode(),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = [f"--{name}={tmp_path / name}" for name in ("checkpoint", "key", "entry", "proof")]
    cosigned = accord("log", "verify", *args, "--cosigned-by", str(tmp_path / "witness"),
                      home=tmp_path / "elsewhere")  # fmt: skip
    assert cosigned.returncode == 0, cosigned.stderr
    assert cosigned.stdout.endswith("verified: cosigned by pak.example\n")
    as_json = accord("log", "verify", *args, "--cosigned-by", str(tmp_path / "witness"),
                     "--json", home=tmp_path / "elsewhere")  # fmt: skip
    verified = json.loads(as_json.stdout)
    assert verified["verified"] is True
    assert (verified["index"], verified["size"]) == (42, 300)
    assert verified["cosigned_by"] == ["pak.example"]
    forged = accord("log", "verify", *args, "--cosigned-by", str(tmp_path / "stranger"),
                    home=tmp_path / "elsewhere")  # fmt: skip
    assert forged.returncode == 5
    assert "NOT verified" in forged.stderr
    forged_json = accord("log", "verify", *args, "--cosigned-by", str(tmp_path / "stranger"),
                         "--json", home=tmp_path / "elsewhere")  # fmt: skip
    assert forged_json.returncode == 5
    assert json.loads(forged_json.stdout)["verified"] is False
    wrong_kind = accord("log", "verify", *args, "--cosigned-by", str(tmp_path / "key"),
                        home=tmp_path / "elsewhere")  # fmt: skip
    assert wrong_kind.returncode == 2
    assert "not a witness's cosignature key" in wrong_kind.stderr


def test_checkpoint_json(home: Path) -> None:
    shown = json.loads(accord("log", "checkpoint", "--json", home=home).stdout)
    assert (shown["origin"], shown["size"]) == ("accord.local/log", 300)
    assert shown["note"].split("\n")[1] == "300"
    assert base64.b64decode(shown["note"].split("\n")[2]).hex() == shown["root_hash"]


def test_log_list_newest_first_by_kind_and_day(tmp_path: Path) -> None:
    """Newest first, up to --limit, then --before pages back; --kind and --from/--to filter
    (the day is the entry's ``at``; synthetic entries have none, so a range leaves them out)."""
    home = tmp_path / "home"
    clock = tmp_path / "clock"
    clock.write_text("2021-06-01T12:00:00Z")
    env = {"ACCORD_UNSAFE_CLOCK_FILE": str(clock)}
    assert accord("init", home=home, **env).returncode == 0
    assert accord("log", "append-test", "5", home=home, **env).returncode == 0
    record = ("agreements", "record", "ind-usa-comcasa", "suspended", "--date", "2021-06-01",
              "--source", "https://example.org/a")  # fmt: skip
    assert accord(*record, home=home, **env).returncode == 0, "recorded"
    listed = json.loads(accord("log", "list", "--json", home=home).stdout)
    assert [e["index"] for e in listed] == sorted((e["index"] for e in listed), reverse=True)
    newest = listed[0]
    assert newest["kind"] == "agreement-event"
    assert newest["at"] == "2021-06-01T12:00:00Z"
    page = json.loads(accord("log", "list", "--limit", "2", "--json", home=home).stdout)
    assert [e["index"] for e in page] == [e["index"] for e in listed[:2]]
    text = accord("log", "list", "--limit", "2", home=home)
    assert f"older ones: --before {page[-1]['index']}" in text.stderr
    older = accord("log", "list", "--before", str(page[-1]["index"]), "--json", home=home)
    assert json.loads(older.stdout) == listed[2:]
    tests = json.loads(accord("log", "list", "--kind", "test", "--json", home=home).stdout)
    assert [e["entry"]["n"] for e in tests] == [4, 3, 2, 1, 0]
    in_2021 = accord("log", "list", "--from", "2021", "--to", "2021", "--json", home=home)
    assert {e["kind"] for e in json.loads(in_2021.stdout)} == {"agreement-event"}
    in_2020 = accord("log", "list", "--from", "2020", "--to", "2020", "--json", home=home)
    assert json.loads(in_2020.stdout) == []
    bad = accord("log", "list", "--kind", "bogus", home=home)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "--kind" in bad.stderr


def test_bad_requests(home: Path) -> None:
    missing = accord("log", "show", "100000", home=home)
    assert missing.returncode == 3
    assert "no entry 100000" in missing.stderr
    beyond = accord("log", "prove", "5", "--size", "1000", home=home)
    assert beyond.returncode == 3
    uninitialised = accord("log", "checkpoint", home=home.parent / "nothing")
    assert uninitialised.returncode == 2
    assert "accord init" in uninitialised.stderr
