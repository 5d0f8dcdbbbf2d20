"""C2SP checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is the tree head.

::

    <origin>
    <tree size, decimal, no leading zeros>
    <base64 root hash>
    [extension lines]
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from accord.crypto.signing import Ed25519Signer
from accord.errors import InvalidInput
from accord.tlog import note as notes
from accord.tlog.merkle import HASH_SIZE

_SIZE = re.compile(r"^(0|[1-9][0-9]{0,18})$")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise InvalidInput("a checkpoint origin is one non-empty line")
        if self.size < 0 or len(self.root_hash) != HASH_SIZE:
            raise InvalidInput("a checkpoint has a size and a 32-byte root hash")
        if any(not line or "\n" in line for line in self.extensions):
            raise InvalidInput("checkpoint extension lines are non-empty single lines")

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise InvalidInput("a checkpoint is origin, size and root hash lines")
        origin, size, root = lines[0], lines[1], lines[2]
        if not _SIZE.match(size):
            raise InvalidInput(f"checkpoint size {size!r} is not a decimal without leading zeros")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise InvalidInput("the checkpoint root hash is not base64") from None
        return cls(origin, int(size), root_hash, tuple(lines[3:-1]))


def sign_checkpoint(checkpoint: Checkpoint, signer: Ed25519Signer) -> notes.Note:
    """The checkpoint as a note signed by the log, whose key name is the origin."""
    text = checkpoint.body()
    return notes.Note(text, (notes.sign(text, checkpoint.origin, signer),))


def log_verifier(origin: str, public_key: bytes) -> notes.VerifierKey:
    return notes.VerifierKey(origin, notes.SIGNATURE_ED25519, public_key)


def open_checkpoint(data: str | bytes, log_key: notes.VerifierKey) -> tuple[Checkpoint, notes.Note]:
    """Verify a checkpoint note against the log's key and read it."""
    note = notes.parse(data)
    notes.open_note(note, [log_key])
    checkpoint = Checkpoint.parse(note.text)
    if checkpoint.origin != log_key.name:
        raise InvalidInput(f"the checkpoint is for {checkpoint.origin}, not {log_key.name}")
    return checkpoint, note
