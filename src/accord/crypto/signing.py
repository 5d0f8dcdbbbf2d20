"""Ed25519 signing keys as values: a signer holds the seed, a verifier only the public key."""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.crypto import _hazmat
from accord.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Ed25519Verifier:
    public_key: bytes

    def __post_init__(self) -> None:
        if len(self.public_key) != _hazmat.ED25519_PUBLIC_KEY_SIZE:
            raise InvalidInput("an Ed25519 public key is 32 bytes")

    def verify(self, signature: bytes, message: bytes) -> bool:
        return _hazmat.ed25519_verify(self.public_key, signature, message)


@dataclass(frozen=True, slots=True)
class Ed25519Signer:
    """A private key. ``repr`` never shows the seed, so it cannot reach a log by accident."""

    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise InvalidInput("an Ed25519 private key is a 32-byte seed")

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(_hazmat.ed25519_generate())

    @property
    def public_key(self) -> bytes:
        return _hazmat.ed25519_public(self.seed)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return _hazmat.ed25519_sign(self.seed, message)
