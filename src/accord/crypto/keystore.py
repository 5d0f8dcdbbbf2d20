"""Key sets at rest: plain JSON, or sealed under a passphrase.

A protected key set is ``{"format": "accord.keys.sealed/1", "kdf": {"name": "scrypt", "salt",
"n", "r", "p"}, "nonce", "ciphertext"}``: AES-256-GCM under a key derived with scrypt (RFC 7914)
from the passphrase, over the key set's canonical JSON, with the format name as associated data.
A wrong passphrase and a damaged file are one error.
"""

from __future__ import annotations

import json
from typing import Any

from accord.crypto import _hazmat
from accord.crypto.canonical import b64, canonical_json, unb64
from accord.crypto.keys import NodeKeys
from accord.errors import InvalidInput

SEALED = "accord.keys.sealed/1"
#: scrypt cost: 2^15 x 8 x 1 is about 32 MiB and a fraction of a second, per RFC 7914 advice.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_KEYSTORE_BYTES = 1024 * 1024


def dump(keys: NodeKeys, passphrase: bytes | None) -> bytes:
    plain = canonical_json(keys.to_dict())
    if passphrase is None:
        return json.dumps(keys.to_dict(), indent=2).encode() + b"\n"
    salt, nonce = _hazmat.random_bytes(16), _hazmat.random_bytes(12)
    key = _hazmat.scrypt_key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = _hazmat.Aead(key).seal(nonce, plain, SEALED.encode())
    document = {
        "format": SEALED,
        "kdf": {"name": "scrypt", "salt": b64(salt), "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
        "nonce": b64(nonce),
        "ciphertext": b64(sealed),
    }
    return json.dumps(document, indent=2).encode() + b"\n"


def is_sealed(data: bytes) -> bool:
    try:
        document = json.loads(data)
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("format") == SEALED


def load(data: bytes, passphrase: bytes | None) -> NodeKeys:
    if len(data) > MAX_KEYSTORE_BYTES:
        raise InvalidInput("the key file is too large")
    try:
        document: Any = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidInput("the key file is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != SEALED:
        return NodeKeys.from_dict(document)
    if passphrase is None:
        raise InvalidInput("the key set is protected by a passphrase (set ACCORD_KEY_PASSPHRASE)")
    kdf = document.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise InvalidInput("unsupported key derivation")
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    if not (isinstance(n, int) and isinstance(r, int) and isinstance(p, int)):
        raise InvalidInput("unreasonable scrypt parameters")
    if not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
        raise InvalidInput("unreasonable scrypt parameters")
    salt = unb64(kdf.get("salt"), "salt", max_bytes=64)
    key = _hazmat.scrypt_key(passphrase, salt, n, r, p)
    plain = _hazmat.Aead(key).open(
        unb64(document.get("nonce"), "nonce", max_bytes=12),
        unb64(document.get("ciphertext"), "ciphertext", max_bytes=MAX_KEYSTORE_BYTES),
        SEALED.encode(),
    )
    if plain is None:
        raise InvalidInput("wrong passphrase, or the key file is damaged")
    return NodeKeys.from_dict(json.loads(plain))
