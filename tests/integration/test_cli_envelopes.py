"""``accord keys``, ``seal``, ``open``, ``verify``: a file round-trips between two nodes' keys."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
from pathlib import Path

import pytest

from accord.cli.main import run
from accord.crypto.descriptor import parse_descriptor
from accord.crypto.keys import NodeKeys
from accord.labels import stanag4774
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.national import national_policy
from tests.support.api import gsomia
from tests.support.cli import accord


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("nodes")
    homes = {"usa": root / "usa", "pak": root / "pak", "ind": root / "ind"}
    for name, nation in (("usa", "USA"), ("pak", "PAK"), ("ind", "IND")):
        # The sealing node is a whole node (seal decides on its register and logs); the others
        # only need keys to open and verify.
        command = ("init",) if name == "usa" else ("keys", "generate")
        result = accord(*command, "--nation", nation, "--name", f"{name}.example", home=homes[name])
        assert result.returncode == 0, result.stderr
        descriptor = root / f"{name}.descriptor.json"
        assert accord("keys", "descriptor", "-o", str(descriptor), home=homes[name]).returncode == 0
    # SECRET to PAK needs classification equivalence: a GSOMIA in the USA node's register.
    (root / "gsomia.json").write_text(json.dumps(gsomia("USA", "PAK", "2024-01-15")))
    imported = accord("agreements", "import", str(root / "gsomia.json"), home=homes["usa"])
    assert imported.returncode == 0, imported.stderr
    usa_policy = national_policy("USA")
    label = banner_to_label(parse_banner("SECRET//REL TO USA, PAK"), usa_policy)
    (root / "label.xml").write_bytes(
        stanag4774.write_label(label, usa_policy, created="2026-11-22T08:00:00Z")
    )
    return {**homes, "root": root}


def _seal(nodes: dict[str, Path], body: Path, envelope: Path, *extra: str) -> None:
    root = nodes["root"]
    result = accord(
        "seal",
        "--to",
        str(root / "pak.descriptor.json"),
        "--label",
        str(root / "label.xml"),
        "--capability",
        "secure-communications",
        "--activity",
        "joint-exercises",
        *extra,
        str(body),
        str(envelope),
        home=nodes["usa"],
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("cbor", [False, True], ids=["json", "cbor"])
def test_a_file_round_trips_between_two_key_sets(nodes: dict[str, Path], cbor: bool) -> None:
    root = nodes["root"]
    body = root / "orders.bin"
    body.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    envelope = root / ("orders.cbor" if cbor else "orders.json")
    _seal(nodes, body, envelope, *(["--cbor"] if cbor else []))
    opened = root / f"opened-{cbor}.bin"
    result = accord(
        "open",
        "--from",
        str(root / "usa.descriptor.json"),
        str(envelope),
        str(opened),
        home=nodes["pak"],
    )
    assert result.returncode == 0, result.stderr
    assert opened.read_bytes() == body.read_bytes()
    # The marking, under the reader's (PAK's) policy.
    assert result.stderr.endswith(": SECRET - RELEASABLE TO PAK, USA\n")
    verified = accord(
        "verify",
        "--from",
        str(root / "usa.descriptor.json"),
        str(envelope),
        "--json",
        home=nodes["pak"],
    )
    summary = json.loads(verified.stdout)
    assert summary["sender"]["node"] == "usa.example"
    assert summary["capability"] == "secure-communications"
    assert summary["agreements"] == ["pak-usa-cismoa", "pak-usa-gsomia-test"]
    assert summary["label"]["classification"] == 4
    assert summary["marking"] == "SECRET - RELEASABLE TO PAK, USA"
    assert summary["segments"] == 4


def test_seal_takes_a_banner_as_the_label(nodes: dict[str, Path]) -> None:
    """--label takes a banner (read under the sealing node's national policy) as it takes a
    file; a value that is neither is refused in one line."""
    root = nodes["root"]
    (root / "banner.txt").write_text("under a banner")

    def seal(label: str, target: str) -> subprocess.CompletedProcess[str]:
        return accord(
            "seal", "--to", str(root / "pak.descriptor.json"), "--label", label,
            "--capability", "secure-communications", "--activity", "joint-exercises",
            str(root / "banner.txt"), str(root / target),
            home=nodes["usa"],
        )  # fmt: skip

    banner_sealed = seal("SECRET//REL TO USA, PAK", "banner.env")
    assert banner_sealed.returncode == 0
    assert "(1 segment)" in banner_sealed.stderr  # one segment, said in the singular
    assert seal(str(root / "label.xml"), "file.env").returncode == 0
    verified = accord(
        "verify", "--from", str(root / "usa.descriptor.json"), str(root / "banner.env"), "--json",
        home=nodes["pak"],
    )  # fmt: skip
    from_file = accord(
        "verify", "--from", str(root / "usa.descriptor.json"), str(root / "file.env"), "--json",
        home=nodes["pak"],
    )  # fmt: skip
    label = json.loads(verified.stdout)["label"]
    assert label["classification"] == 4
    assert label["categories"] == json.loads(from_file.stdout)["label"]["categories"]
    for value, says in (
        ("missing.xml", "--label missing.xml: no such label file"),
        ("SECRET//REL TO ATLANTIS", "is neither a label file, a banner nor a policy's marking"),
    ):
        refused = seal(value, "refused.env")
        assert refused.returncode == 2
        assert says in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not (root / "refused.env").exists()


def test_seal_decides_and_logs_like_a_release(nodes: dict[str, Path]) -> None:
    """A seal the release decision refuses exits 3 with the reasons, writes nothing and logs
    the denial; --unsafe-skip-decision seals it anyway, warns, and logs the override."""
    root = nodes["root"]
    (root / "for-ind.txt").write_text("not releasable to IND")

    def seal(*extra: str) -> subprocess.CompletedProcess[str]:
        return accord(
            "seal", "--to", str(root / "ind.descriptor.json"), "--label",
            "SECRET//REL TO USA, PAK", "--capability", "secure-communications",
            "--activity", "joint-exercises", *extra, str(root / "for-ind.txt"),
            str(root / "for-ind.env"), home=nodes["usa"],
        )  # fmt: skip

    def entry(index: int) -> dict[str, object]:
        shown = accord("log", "show", str(index), "--json", home=nodes["usa"])
        assert shown.returncode == 0, shown.stderr
        value: dict[str, object] = json.loads(shown.stdout)["entry"]
        return value

    refused = seal("--json")
    assert refused.returncode == 3
    result = json.loads(refused.stdout)
    assert result["id"] is None
    assert result["permit"] is False
    reasons = {r["rule"]: r["outcome"] for r in result["decisions"]["IND"]["reasons"]}
    assert reasons["releasability"] == "failed"
    assert not (root / "for-ind.env").exists()
    assert not (root / "for-ind.env.partial").exists()
    denial = entry(result["log_index"])
    assert denial["type"] == "release-decision"
    assert (denial["decision"], denial["recipient"]) == ("deny", "IND")
    assert str(denial["user"]).startswith("local:")

    named = seal("--agreement", "ind-usa-gsomia")
    assert named.returncode == 2
    assert "--agreement is only for --unsafe-skip-decision" in named.stderr

    forced = seal("--unsafe-skip-decision")
    assert forced.returncode == 0, forced.stderr
    assert "warning: sealed against the release decision" in forced.stderr
    assert "[failed] releasability" in forced.stdout
    assert (root / "for-ind.env").exists()
    index = int(forced.stderr.rsplit("log entry ", 1)[1])
    overridden, sent = entry(index), entry(index + 1)
    assert (overridden["decision"], overridden["override"]) == ("deny", "unsafe-skip-decision")
    assert sent["type"] == "envelope-sent"
    assert sent["recipient"] == "ind.example"
    assert sent["envelope"] == overridden["message"]


def test_open_uses_the_pinned_descriptor(nodes: dict[str, Path]) -> None:
    root = nodes["root"]
    (root / "note.txt").write_text("meet at dawn")
    _seal(nodes, root / "note.txt", root / "note.env")
    missing = accord("open", str(root / "note.env"), str(root / "note.out"), home=nodes["pak"])
    assert missing.returncode == 3
    assert "no pinned descriptor for usa.example" in missing.stderr
    assert (
        accord("keys", "pin", str(root / "usa.descriptor.json"), home=nodes["pak"]).returncode == 0
    )
    assert (
        accord("open", str(root / "note.env"), str(root / "note.out"), home=nodes["pak"]).returncode
        == 0
    )
    assert (root / "note.out").read_text() == "meet at dawn"


def test_failures_are_opaque_and_leave_no_output(nodes: dict[str, Path]) -> None:
    root = nodes["root"]
    (root / "x.txt").write_text("for pak only")
    _seal(nodes, root / "x.txt", root / "x.env")
    wrong_reader = accord(
        "open",
        "--from",
        str(root / "usa.descriptor.json"),
        str(root / "x.env"),
        str(root / "x.out"),
        home=nodes["ind"],
    )
    assert wrong_reader.returncode == 5
    assert wrong_reader.stderr.strip() == "error: the envelope cannot be opened or verified"
    assert not (root / "x.out").exists()
    assert not (root / "x.out.partial").exists()
    tampered = bytearray((root / "x.env").read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    (root / "x.bad").write_bytes(bytes(tampered))
    result = accord(
        "open",
        "--from",
        str(root / "usa.descriptor.json"),
        str(root / "x.bad"),
        str(root / "x.out"),
        home=nodes["pak"],
    )
    assert result.returncode == 5
    assert "Traceback" not in result.stderr


def test_rotation_keeps_old_envelopes_openable(nodes: dict[str, Path]) -> None:
    root = nodes["root"]
    (root / "old.txt").write_text("sealed before the rotation")
    _seal(nodes, root / "old.txt", root / "old.env")
    assert accord("keys", "rotate", home=nodes["pak"]).returncode == 0
    shown = json.loads(accord("keys", "show", "--json", home=nodes["pak"]).stdout)
    assert sorted(k["status"] for k in shown["keys"]) == [
        "active",
        "active",
        "superseded",
        "superseded",
    ]
    result = accord(
        "open",
        "--from",
        str(root / "usa.descriptor.json"),
        str(root / "old.env"),
        str(root / "old.out"),
        home=nodes["pak"],
    )
    assert result.returncode == 0, result.stderr
    new_descriptor = root / "pak.rotated.json"
    assert (
        accord("keys", "descriptor", "-o", str(new_descriptor), home=nodes["pak"]).returncode == 0
    )
    pinned_first = accord("keys", "pin", str(root / "pak.descriptor.json"), home=nodes["usa"])
    assert pinned_first.returncode == 0
    updated = accord("keys", "pin", str(new_descriptor), home=nodes["usa"])
    assert updated.returncode == 0, updated.stderr
    assert "updated pak.example" in updated.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            [
                "seal",
                "--to",
                "/nonexistent",
                "--label",
                "/nonexistent",
                "--capability",
                "secure-communications",
                "--activity",
                "joint-exercises",
                "a",
                "b",
            ],
            2,
            "descriptor /nonexistent: cannot read",
        ),
        (["keys", "show"], 2, "accord keys generate"),
        (["keys", "generate", "--nation", "XXX"], 2, "XXX"),
    ],
)
def test_bad_input(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    result = accord(*args, home=tmp_path / "empty")
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_key_files_are_private(nodes: dict[str, Path]) -> None:
    key_file = nodes["usa"] / "keys" / "node-keys.json"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (nodes["usa"] / "keys").stat().st_mode & 0o777 == 0o700


def test_a_passphrase_protects_the_key_set(tmp_path: Path) -> None:
    home = tmp_path / "protected"
    result = accord(
        "keys", "generate", "--nation", "IND", home=home, ACCORD_KEY_PASSPHRASE="s3cret"
    )
    assert result.returncode == 0, result.stderr
    assert b"private" not in (home / "keys" / "node-keys.json").read_bytes()
    assert accord("keys", "show", home=home, ACCORD_KEY_PASSPHRASE="s3cret").returncode == 0
    wrong = accord("keys", "show", home=home, ACCORD_KEY_PASSPHRASE="guess")
    assert wrong.returncode == 2
    assert "wrong passphrase" in wrong.stderr


@pytest.mark.parametrize(
    "label",
    [
        {"policy": "1.2.3.4", "classification": 4},  # a policy this node does not hold
        {"policy": national_policy("USA").id, "classification": 99},  # no such level
        {"policy": national_policy("USA").id, "classification": 1, "categories": "x"},
    ],
)
def test_verify_and_open_refuse_a_signed_envelope_whose_label_cannot_be_read(
    tmp_path: Path,
    label: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Reading rule 9: correctly sealed and signed, but its label is not one this node can read
    under a policy it holds; verify and open refuse it (exit 5) and write nothing."""
    vectors = Path(__file__).resolve().parents[1] / "vectors" / "envelope"
    namespace = runpy.run_path(
        str(Path(__file__).resolve().parents[2] / "scripts" / "make-envelope-vectors"),
        run_name="vectors",
    )
    usa = NodeKeys.from_dict(json.loads((vectors / "keys" / "usa.keys.json").read_text()))
    pak = parse_descriptor((vectors / "keys" / "pak.descriptor.json").read_bytes())
    envelope = tmp_path / "forged.env"
    envelope.write_bytes(namespace["forge"](usa, pak, cbor=False, header_changes={"label": label}))
    home = tmp_path / "pak"
    (home / "keys").mkdir(parents=True, mode=0o700)
    home.chmod(0o700)
    keys_file = home / "keys" / "node-keys.json"
    keys_file.write_text((vectors / "keys" / "pak.keys.json").read_text())
    keys_file.chmod(0o600)
    monkeypatch.setenv("ACCORD_HOME", str(home))
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    sender = str(vectors / "keys" / "usa.descriptor.json")
    assert run(["verify", "--from", sender, str(envelope)]) == 5
    assert "cannot be opened or verified" in capsys.readouterr().err
    assert run(["open", "--from", sender, str(envelope), str(tmp_path / "out")]) == 5
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "out.partial").exists()
