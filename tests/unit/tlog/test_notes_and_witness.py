"""Signed notes, checkpoints, cosignatures and the witness's refusals."""

from __future__ import annotations

import json

import pytest

from accord.crypto.signing import Ed25519Signer
from accord.errors import InvalidInput, VerificationFailed
from accord.tlog import note as notes
from accord.tlog.checkpoint import Checkpoint, log_verifier, open_checkpoint, sign_checkpoint
from accord.tlog.entries import EntryKind, LogEntry, decode, entry_from_dict
from accord.tlog.merkle import EMPTY_ROOT, MemoryTree, leaf_hash
from accord.tlog.proofs import ConsistencyProof, InclusionProof, verify_entry
from accord.tlog.witness import (
    WitnessAlarm,
    WitnessedLog,
    verify_cosignature,
    witness,
    witness_key,
)

# The example of c2sp.org/signed-note implementations (Go sumdb/note): a vkey and a signed note.
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_the_published_signed_note_example_verifies() -> None:
    key = notes.VerifierKey.parse(EXAMPLE_VKEY)
    assert key.encode() == EXAMPLE_VKEY
    note = notes.parse(EXAMPLE_NOTE)
    assert note.text == "This is an example message.\n"
    assert notes.open_note(note, [key]) == ("example.com/foo",)
    assert note.encode() == EXAMPLE_NOTE
    tampered = notes.parse(EXAMPLE_NOTE.replace("example message", "exemplary message"))
    with pytest.raises(VerificationFailed):
        notes.open_note(tampered, [key])


def test_unknown_keys_are_ignored_and_no_known_signature_is_rejected() -> None:
    other = notes.VerifierKey(
        "example.com/other", notes.SIGNATURE_ED25519, Ed25519Signer.generate().public_key
    )
    with pytest.raises(VerificationFailed, match="no signature by a known key"):
        notes.open_note(notes.parse(EXAMPLE_NOTE), [other])


@pytest.mark.parametrize(
    "text",
    [
        "no blank line\n\u2014 a AAAA\n",
        "text\n\nnot a signature line\n",
        "text\n\n\u2014 name !!!\n",
        "text\n\n\u2014 na me AAAAAAAA\n",
        "te\x01xt\n\n\u2014 a AAAAAAAA\n",
    ],
)
def test_malformed_notes_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        notes.parse(text)


def test_vkeys_are_checked() -> None:
    with pytest.raises(InvalidInput, match="does not match"):
        notes.VerifierKey.parse(EXAMPLE_VKEY.replace("530d903a", "530d903b"))
    with pytest.raises(InvalidInput):
        notes.VerifierKey.parse("example.com/foo+530d903a")


def _log(size: int) -> MemoryTree:
    tree = MemoryTree()
    for i in range(size):
        tree.append(leaf_hash(LogEntry(EntryKind.TEST, {"n": i}).encode()))
    return tree


LOG_SIGNER = Ed25519Signer.generate()
ORIGIN = "pak.example/log"


def _checkpoint(tree: MemoryTree, size: int, signer: Ed25519Signer = LOG_SIGNER) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, tree.root(size)), signer).encode()


def test_checkpoint_format_round_trip() -> None:
    tree = _log(10)
    text = _checkpoint(tree, 10)
    lines = text.split("\n")
    assert lines[0] == ORIGIN
    assert lines[1] == "10"
    assert lines[3] == ""
    assert lines[4].startswith("\u2014 pak.example/log ")
    checkpoint, _ = open_checkpoint(text, log_verifier(ORIGIN, LOG_SIGNER.public_key))
    assert checkpoint == Checkpoint(ORIGIN, 10, tree.root())
    with pytest.raises(InvalidInput, match="leading zeros"):
        Checkpoint.parse(f"{ORIGIN}\n010\n{lines[2]}\n")


WITNESS = Ed25519Signer.generate()


def _state() -> WitnessedLog:
    return WitnessedLog(log_verifier(ORIGIN, LOG_SIGNER.public_key))


def test_a_witness_cosigns_a_consistent_log_and_the_cosignature_verifies() -> None:
    tree = _log(40)
    state, signature = witness(
        _state(),
        _checkpoint(tree, 10),
        [],
        name="usa.example",
        signer=WITNESS,
        timestamp=1_700_000_000,
    )
    assert state.size == 10
    proof = tree.consistency_proof(10, 40)
    state, signature = witness(
        state,
        _checkpoint(tree, 40),
        proof,
        name="usa.example",
        signer=WITNESS,
        timestamp=1_700_000_100,
    )
    assert state.size == 40
    key = witness_key("usa.example", WITNESS.public_key)
    checkpoint = Checkpoint(ORIGIN, 40, tree.root())
    assert verify_cosignature(checkpoint, signature, key) == 1_700_000_100
    assert key.key_id != notes.key_id("usa.example", notes.SIGNATURE_ED25519, WITNESS.public_key)
    cosigned = notes.parse(state.checkpoint_note)
    assert [s.name for s in cosigned.signatures] == [ORIGIN, "usa.example"]
    with pytest.raises(VerificationFailed):
        verify_cosignature(Checkpoint(ORIGIN, 39, tree.root(39)), signature, key)


def test_a_forked_log_is_refused() -> None:
    tree = _log(20)
    state, _ = witness(_state(), _checkpoint(tree, 20), [], name="w", signer=WITNESS, timestamp=1)
    fork = MemoryTree()
    for i in range(20):
        fork.append(leaf_hash(LogEntry(EntryKind.TEST, {"n": i if i != 7 else 700}).encode()))
    with pytest.raises(WitnessAlarm, match="split view"):
        witness(state, _checkpoint(fork, 20), [], name="w", signer=WITNESS, timestamp=2)
    for i in range(20, 30):
        fork.append(leaf_hash(LogEntry(EntryKind.TEST, {"n": i}).encode()))
    with pytest.raises(WitnessAlarm, match="no valid consistency proof"):
        witness(
            state,
            _checkpoint(fork, 30),
            fork.consistency_proof(20, 30),
            name="w",
            signer=WITNESS,
            timestamp=3,
        )


def test_a_shrinking_log_and_a_bad_signature_are_refused() -> None:
    tree = _log(20)
    state, _ = witness(_state(), _checkpoint(tree, 20), [], name="w", signer=WITNESS, timestamp=1)
    with pytest.raises(WitnessAlarm, match="shrank from 20 to 10"):
        witness(state, _checkpoint(tree, 10), [], name="w", signer=WITNESS, timestamp=2)
    impostor = Ed25519Signer.generate()
    with pytest.raises(WitnessAlarm, match="signature does not verify") as raised:
        witness(state, _checkpoint(tree, 20, impostor), [], name="w", signer=WITNESS, timestamp=2)
    assert raised.value.evidence


def test_entries_are_canonical_and_typed() -> None:
    entry = LogEntry(
        EntryKind.RELEASE_DECISION,
        {
            "decision": "deny",
            "sender": "USA",
            "recipient": "PAK",
            "capability": "secure-communications",
            "at": "2021-06-01",
        },
    )
    data = entry.encode()
    assert data.startswith(b'{"at":"2021-06-01","capability"')
    assert decode(data) == entry
    with pytest.raises(InvalidInput, match="canonical"):
        decode(json.dumps(entry.to_dict(), indent=1).encode())
    with pytest.raises(InvalidInput, match="needs"):
        LogEntry(EntryKind.RECEIPT, {"envelope": "x"})
    with pytest.raises(InvalidInput, match="permit or deny"):
        LogEntry(EntryKind.RELEASE_DECISION, {**entry.fields, "decision": "maybe"})
    with pytest.raises(InvalidInput, match="unknown entry type"):
        entry_from_dict({"type": "gossip", "v": 1})


def test_proofs_round_trip_as_json_and_verify_offline() -> None:
    tree = _log(100)
    index = 42
    entry = LogEntry(EntryKind.TEST, {"n": index}).encode()
    proof = InclusionProof(
        index, 100, leaf_hash(entry), tree.root(), tuple(tree.inclusion_proof(index))
    )
    assert InclusionProof.from_dict(json.loads(json.dumps(proof.to_dict()))) == proof
    key = log_verifier(ORIGIN, LOG_SIGNER.public_key)
    note = _checkpoint(tree, 100)
    assert verify_entry(note, key, entry, proof).size == 100
    with pytest.raises(VerificationFailed, match="not the leaf"):
        verify_entry(note, key, LogEntry(EntryKind.TEST, {"n": 43}).encode(), proof)
    with pytest.raises(VerificationFailed, match="size"):
        verify_entry(_checkpoint(tree, 99), key, entry, proof)
    consistency = ConsistencyProof(
        10, 100, tree.root(10), tree.root(), tuple(tree.consistency_proof(10))
    )
    assert ConsistencyProof.from_dict(consistency.to_dict()).verifies()
    with pytest.raises(InvalidInput):
        InclusionProof.from_dict({**proof.to_dict(), "proof": ["zz"]})
    assert _log(0).root() == EMPTY_ROOT
