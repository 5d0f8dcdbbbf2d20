"""The only importer of ``cryptography.hazmat``: thin, typed recipes, nothing clever.

Every primitive comes from the ``cryptography`` package; Accord implements none. Verification
functions return a bool that callers turn into their own opaque error; no exception from the
library escapes with its details.
"""

from __future__ import annotations

import functools
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64


def ed25519_generate() -> bytes:
    """A new Ed25519 private key as its 32-byte seed."""
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def ed25519_public(seed: bytes) -> bytes:
    return (
        ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


@functools.lru_cache(maxsize=16)
def _ed25519_private(seed: bytes) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


@functools.lru_cache(maxsize=256)
def _ed25519_public(public_key: bytes) -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(public_key)


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    return _ed25519_private(seed).sign(message)


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    if len(public_key) != ED25519_PUBLIC_KEY_SIZE or len(signature) != ED25519_SIGNATURE_SIZE:
        return False
    try:
        _ed25519_public(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- key encapsulation and HPKE (RFC 9180) ---------------------------------------------------

#: HPKE suites by Accord's name: KEM, KDF and AEAD (RFC 9180 section 7 identifiers).
HPKE_SUITES = {
    # X-Wing: ML-KEM-768 combined with X25519 (draft-connolly-cfrg-xwing-kem), post-quantum hybrid.
    "xwing": (hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
    "x25519": (hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
}
MLKEM768_SEED_SIZE = 64
MLKEM768_PUBLIC_SIZE = 1184
X25519_SIZE = 32
MLDSA65_SEED_SIZE = 32


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def kem_generate(suite: str) -> bytes:
    """A private key for ``suite``: X25519 32 bytes; X-Wing the ML-KEM seed then X25519."""
    x_private = x25519.X25519PrivateKey.generate().private_bytes_raw()
    if suite == "x25519":
        return x_private
    return mlkem.MLKEM768PrivateKey.generate().private_bytes_raw() + x_private


@functools.lru_cache(maxsize=32)
def _kem_private(suite: str, private: bytes) -> object:
    if suite == "x25519":
        return x25519.X25519PrivateKey.from_private_bytes(private)
    return hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(private[:MLKEM768_SEED_SIZE]),
        x25519.X25519PrivateKey.from_private_bytes(private[MLKEM768_SEED_SIZE:]),
    )


@functools.lru_cache(maxsize=256)
def _kem_public(suite: str, public: bytes) -> object:
    if suite == "x25519":
        return x25519.X25519PublicKey.from_public_bytes(public)
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(public[:MLKEM768_PUBLIC_SIZE]),
        x25519.X25519PublicKey.from_public_bytes(public[MLKEM768_PUBLIC_SIZE:]),
    )


def kem_public(suite: str, private: bytes) -> bytes:
    """The public key: X25519 32 bytes; X-Wing the ML-KEM-768 key then X25519 (1216 bytes)."""
    if suite == "x25519":
        return x25519.X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    m = mlkem.MLKEM768PrivateKey.from_seed_bytes(private[:MLKEM768_SEED_SIZE])
    x = x25519.X25519PrivateKey.from_private_bytes(private[MLKEM768_SEED_SIZE:])
    return m.public_key().public_bytes_raw() + x.public_key().public_bytes_raw()


def _suite(name: str) -> hpke.Suite:
    kem, kdf, aead = HPKE_SUITES[name]
    return hpke.Suite(kem, kdf, aead)


def hpke_seal(suite: str, public: bytes, plaintext: bytes, info: bytes) -> bytes:
    """RFC 9180 single-shot Base mode: ``enc || ciphertext``."""
    return _suite(suite).encrypt(plaintext, _kem_public(suite, public), info=info)  # type: ignore[arg-type]


def hpke_open(suite: str, private: bytes, ciphertext: bytes, info: bytes) -> bytes | None:
    try:
        return _suite(suite).decrypt(ciphertext, _kem_private(suite, private), info=info)  # type: ignore[arg-type]
    except (InvalidTag, ValueError, TypeError):
        return None


def check_kem_public(suite: str, public: bytes) -> bool:
    try:
        _kem_public(suite, public)
    except (ValueError, TypeError, KeyError):
        return False
    return True


# -- AES-256-GCM -------------------------------------------------------------------------------


class Aead:
    """AES-256-GCM under one key (the body key of one envelope)."""

    def __init__(self, key: bytes) -> None:
        self._cipher = AESGCM(key)

    def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return self._cipher.encrypt(nonce, plaintext, aad)

    def open(self, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes | None:
        try:
            return self._cipher.decrypt(nonce, ciphertext, aad)
        except (InvalidTag, ValueError, OverflowError):
            return None

    def seal_into(
        self, nonce: bytes, plaintext: bytes | memoryview, aad: bytes, out: memoryview
    ) -> None:
        """Encrypt into ``out`` (len(plaintext) + 16 bytes): no allocation per segment."""
        self._cipher.encrypt_into(nonce, plaintext, aad, out)

    def open_into(
        self, nonce: bytes, ciphertext: bytes | memoryview, aad: bytes, out: memoryview
    ) -> bool:
        try:
            self._cipher.decrypt_into(nonce, ciphertext, aad, out)
        except (InvalidTag, ValueError, OverflowError):
            return False
        return True


# -- ML-DSA-65 (FIPS 204) ----------------------------------------------------------------------


def mldsa65_generate() -> bytes:
    return mldsa.MLDSA65PrivateKey.generate().private_bytes_raw()


@functools.lru_cache(maxsize=16)
def _mldsa65_private(seed: bytes) -> mldsa.MLDSA65PrivateKey:
    return mldsa.MLDSA65PrivateKey.from_seed_bytes(seed)


def mldsa65_public(seed: bytes) -> bytes:
    return _mldsa65_private(seed).public_key().public_bytes_raw()


def mldsa65_sign(seed: bytes, message: bytes) -> bytes:
    return _mldsa65_private(seed).sign(message)


def mldsa65_verify(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        mldsa.MLDSA65PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# -- passphrase protection of private keys ---------------------------------------------------


def scrypt_key(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)
