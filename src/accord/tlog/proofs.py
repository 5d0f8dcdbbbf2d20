"""Proofs as values with a JSON form, and offline verification of an entry.

``verify_entry`` needs nothing but what a partner or an auditor can be handed: the checkpoint
note, the log's verifier key, the entry's bytes and its inclusion proof. It reports which check
failed (signature, size, root, leaf, path), never cryptographic detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.errors import InvalidInput, VerificationFailed
from accord.tlog import merkle
from accord.tlog.checkpoint import Checkpoint, open_checkpoint
from accord.tlog.note import VerifierKey


def _hex(value: object, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * merkle.HASH_SIZE:
        raise InvalidInput(f"{what} is a 64-character hex hash")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidInput(f"{what} is a 64-character hex hash") from None


def _size(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise InvalidInput(f"{what} is a non-negative integer")
    return value


def _path(value: object) -> tuple[bytes, ...]:
    if not isinstance(value, list) or len(value) > merkle.MAX_PROOF_LENGTH:
        raise InvalidInput(f"proof is a list of at most {merkle.MAX_PROOF_LENGTH} hashes")
    return tuple(_hex(h, f"proof[{i}]") for i, h in enumerate(value))


@dataclass(frozen=True, slots=True)
class InclusionProof:
    index: int
    size: int
    leaf_hash: bytes
    root_hash: bytes
    proof: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "size": self.size,
            "leaf_hash": self.leaf_hash.hex(),
            "root_hash": self.root_hash.hex(),
            "proof": [h.hex() for h in self.proof],
        }

    @classmethod
    def from_dict(cls, value: object) -> InclusionProof:
        if not isinstance(value, dict):
            raise InvalidInput("an inclusion proof is a JSON object")
        return cls(
            index=_size(value.get("index"), "index"),
            size=_size(value.get("size"), "size"),
            leaf_hash=_hex(value.get("leaf_hash"), "leaf_hash"),
            root_hash=_hex(value.get("root_hash"), "root_hash"),
            proof=_path(value.get("proof")),
        )

    def verifies(self) -> bool:
        return merkle.verify_inclusion(
            self.leaf_hash, self.index, self.size, self.proof, self.root_hash
        )


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
            "proof": [h.hex() for h in self.proof],
        }

    @classmethod
    def from_dict(cls, value: object) -> ConsistencyProof:
        if not isinstance(value, dict):
            raise InvalidInput("a consistency proof is a JSON object")
        return cls(
            old_size=_size(value.get("old_size"), "old_size"),
            new_size=_size(value.get("new_size"), "new_size"),
            old_root=_hex(value.get("old_root"), "old_root"),
            new_root=_hex(value.get("new_root"), "new_root"),
            proof=_path(value.get("proof")),
        )

    def verifies(self) -> bool:
        return merkle.verify_consistency(
            self.old_size, self.new_size, self.old_root, self.new_root, self.proof
        )


def verify_entry(
    checkpoint_note: str | bytes, log_key: VerifierKey, entry: bytes, proof: InclusionProof
) -> Checkpoint:
    """The checkpoint, if ``entry`` is in the log it commits to; ``VerificationFailed`` if not."""
    checkpoint, _ = open_checkpoint(checkpoint_note, log_key)
    if proof.size != checkpoint.size:
        raise VerificationFailed(
            f"the proof is for size {proof.size}, the checkpoint for size {checkpoint.size}"
        )
    if proof.root_hash != checkpoint.root_hash:
        raise VerificationFailed("the proof's root is not the checkpoint's root")
    if merkle.leaf_hash(entry) != proof.leaf_hash:
        raise VerificationFailed("the entry is not the leaf the proof is for")
    if not proof.verifies():
        raise VerificationFailed(f"the inclusion proof of entry {proof.index} does not verify")
    return checkpoint
