"""Witnessing a partner's log: C2SP tlog-cosignature (Ed25519, type 0x04).

A witness keeps, per log, the last checkpoint it cosigned. Given a new checkpoint and a
consistency proof from the old one, it verifies the log's signature, refuses a log that shrank,
a different root at the same size (a split view) and an inconsistent proof, and otherwise cosigns:

    cosignature/v1
    time <POSIX seconds>
    <checkpoint text>

signed by the witness; the signature line carries base64(key id || u64 timestamp || signature).
Every refusal is a ``WitnessAlarm`` the node records in its own log as evidence.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace

from accord.crypto.signing import Ed25519Signer, Ed25519Verifier
from accord.errors import AccordError, InvalidInput, VerificationFailed
from accord.tlog import note as notes
from accord.tlog.checkpoint import Checkpoint, open_checkpoint
from accord.tlog.merkle import EMPTY_ROOT, verify_consistency


class WitnessAlarm(AccordError):
    """The log behaved in a way an honest log cannot: the witness refuses and raises the alarm."""

    http_status = 409
    exit_code = 6
    code = "witness-alarm"

    def __init__(self, origin: str, reason: str, evidence: str = "") -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason
        self.evidence = evidence


@dataclass(frozen=True, slots=True)
class WitnessedLog:
    """What a witness holds for one log: its key and the last checkpoint it cosigned."""

    log_key: notes.VerifierKey
    size: int = 0
    root_hash: bytes = EMPTY_ROOT
    checkpoint_note: str = ""

    @property
    def origin(self) -> str:
        return self.log_key.name


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def witness_key(name: str, public_key: bytes) -> notes.VerifierKey:
    return notes.VerifierKey(name, notes.SIGNATURE_COSIGNATURE, public_key)


def cosign_text(text: str, name: str, signer: Ed25519Signer, timestamp: int) -> notes.NoteSignature:
    if not 0 <= timestamp < 2**63:
        raise InvalidInput("a cosignature timestamp is a POSIX time below 2^63")
    signature = signer.sign(cosignature_message(text, timestamp))
    key = notes.key_id(name, notes.SIGNATURE_COSIGNATURE, signer.public_key)
    return notes.NoteSignature(name, key, timestamp.to_bytes(8, "big") + signature)


def witness(
    state: WitnessedLog,
    checkpoint_note: str,
    proof: list[bytes],
    *,
    name: str,
    signer: Ed25519Signer,
    timestamp: int,
) -> tuple[WitnessedLog, notes.NoteSignature]:
    """Check ``checkpoint_note`` against what was cosigned before; cosign it or raise the alarm."""
    origin = state.origin
    try:
        checkpoint, note = open_checkpoint(checkpoint_note, state.log_key)
    except VerificationFailed:
        raise WitnessAlarm(
            origin, "the checkpoint's signature does not verify", checkpoint_note
        ) from None
    if checkpoint.size < state.size:
        raise WitnessAlarm(
            origin,
            f"the log shrank from {state.size} to {checkpoint.size} entries",
            checkpoint_note,
        )
    if checkpoint.size == state.size and checkpoint.root_hash != state.root_hash:
        raise WitnessAlarm(
            origin, f"split view: two different roots at size {checkpoint.size}", checkpoint_note
        )
    if not verify_consistency(
        state.size, checkpoint.size, state.root_hash, checkpoint.root_hash, proof
    ):
        raise WitnessAlarm(
            origin,
            f"no valid consistency proof from size {state.size} to {checkpoint.size}",
            checkpoint_note,
        )
    cosignature = cosign_text(note.text, name, signer, timestamp)
    cosigned = note.with_signature(cosignature).encode()
    new_state = replace(
        state, size=checkpoint.size, root_hash=checkpoint.root_hash, checkpoint_note=cosigned
    )
    return new_state, cosignature


def verify_cosignature(
    checkpoint: Checkpoint, signature: notes.NoteSignature, key: notes.VerifierKey
) -> int:
    """The cosignature's timestamp if ``key`` cosigned ``checkpoint``; raises otherwise."""
    if (signature.name, signature.key_id) != (
        key.name,
        key.key_id,
    ) or key.signature_type != notes.SIGNATURE_COSIGNATURE:
        raise VerificationFailed("the cosignature is not by this witness key")
    if len(signature.signature) != 8 + 64:
        raise VerificationFailed("a cosignature is a timestamp and an Ed25519 signature")
    timestamp = int.from_bytes(signature.signature[:8], "big")
    message = cosignature_message(checkpoint.body(), timestamp)
    if not Ed25519Verifier(key.public_key).verify(signature.signature[8:], message):
        raise VerificationFailed(f"the cosignature by {key.name} does not verify")
    return timestamp


def cosignatures_in(note_text: str) -> list[notes.NoteSignature]:
    return list(notes.parse(note_text).signatures)


def encode_vkey_material(key: notes.VerifierKey) -> str:
    return base64.b64encode(key.public_key).decode()
