"""C2SP signed notes (c2sp.org/signed-note): text, a blank line, signature lines.

::

    <text ending in a newline>
    <blank line>
    — <key name> <base64(4-byte key id || signature)>

Key id = SHA-256(name || 0x0A || signature type || public key)[:4]. A verifier key is written
``<name>+<hex key id>+<base64(type || public key)>``. Opening a note follows the spec: signatures
from unknown keys are ignored, a known key's signature that fails rejects the note, and a note
with no verified known signature is rejected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from accord.crypto.signing import Ed25519Signer, Ed25519Verifier
from accord.errors import InvalidInput, VerificationFailed

SIGNATURE_ED25519 = 0x01
SIGNATURE_COSIGNATURE = 0x04
DASH = "\u2014 "
MAX_NOTE_BYTES = 64 * 1024
MAX_SIGNATURES = 100


def check_name(name: str) -> str:
    if not name or any(c.isspace() for c in name) or "+" in name or len(name) > 256:
        raise InvalidInput(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(
        check_name(name).encode() + b"\n" + bytes([signature_type]) + public_key
    ).digest()[:4]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    name: str
    signature_type: int
    public_key: bytes

    def __post_init__(self) -> None:
        check_name(self.name)
        Ed25519Verifier(self.public_key)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.signature_type, self.public_key)

    def encode(self) -> str:
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise InvalidInput("a verifier key is <name>+<hex key id>+<base64 key>")
        name, hex_id, material_text = parts
        try:
            material = base64.b64decode(material_text, validate=True)
            claimed = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError):
            raise InvalidInput("a verifier key's id is hex and its key base64") from None
        if len(material) != 33 or material[0] not in (SIGNATURE_ED25519, SIGNATURE_COSIGNATURE):
            raise InvalidInput("Accord reads Ed25519 verifier keys (type 0x01 or 0x04) only")
        key = cls(name, material[0], material[1:])
        if key.key_id != claimed:
            raise InvalidInput("the verifier key's id does not match its name and key")
        return key


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    signatures: tuple[NoteSignature, ...] = ()

    def encode(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signature(self, signature: NoteSignature) -> Note:
        return Note(self.text, (*self.signatures, signature))


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise InvalidInput("a note's text ends with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise InvalidInput("a note may not contain control characters")


def parse(data: str | bytes) -> Note:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_NOTE_BYTES:
        raise InvalidInput(f"a note is at most {MAX_NOTE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("a note is UTF-8") from None
    _check_text(text)
    split = text.rfind("\n\n")
    if split < 0:
        raise InvalidInput("a note has text, a blank line and signature lines")
    body, lines = text[: split + 1], text[split + 2 :].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise InvalidInput(f"a note has between 1 and {MAX_SIGNATURES} signature lines")
    signatures = []
    for line in lines:
        if not line.startswith(DASH):
            raise InvalidInput("a signature line starts with an em dash and a space")
        fields = line[len(DASH) :].split(" ")
        if len(fields) != 2:
            raise InvalidInput("a signature line is: — <name> <base64 signature>")
        try:
            blob = base64.b64decode(fields[1], validate=True)
        except binascii.Error:
            raise InvalidInput("a note signature is base64") from None
        if len(blob) < 5:
            raise InvalidInput("a note signature is too short")
        signatures.append(NoteSignature(check_name(fields[0]), blob[:4], blob[4:]))
    return Note(body, tuple(signatures))


def sign(text: str, name: str, signer: Ed25519Signer) -> NoteSignature:
    """An Ed25519 (type 0x01) signature over the note text."""
    _check_text(text)
    return NoteSignature(
        name, key_id(name, SIGNATURE_ED25519, signer.public_key), signer.sign(text.encode())
    )


def open_note(note: Note, verifiers: Iterable[VerifierKey]) -> tuple[str, ...]:
    """The names of the known keys whose signatures verify; raises if any known one fails or
    none verifies. Only Ed25519 (type 0x01) keys sign notes; cosignatures are checked apart."""
    known = {(v.name, v.key_id): v for v in verifiers if v.signature_type == SIGNATURE_ED25519}
    verified: list[str] = []
    for signature in note.signatures:
        key = known.get((signature.name, signature.key_id))
        if key is None:
            continue
        if not Ed25519Verifier(key.public_key).verify(signature.signature, note.text.encode()):
            raise VerificationFailed(f"the note's signature by {signature.name} does not verify")
        verified.append(signature.name)
    if not verified:
        raise VerificationFailed("the note carries no signature by a known key")
    return tuple(verified)
