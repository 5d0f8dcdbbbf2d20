"""The node's signing key on disk: ``$ACCORD_HOME/keys/log-signing.key`` (hex Ed25519 seed).

Until the node's full key set exists ([envelope]), the transparency log signs checkpoints and
cosignatures with a key of its own. The directory is 0700 and the file 0600; a key file that
others can read is refused, not used.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from accord.config import Settings
from accord.crypto.signing import Ed25519Signer
from accord.errors import InvalidInput, StorageError

KEY_FILE = "log-signing.key"


def key_path(settings: Settings) -> Path:
    return settings.home_path / "keys" / KEY_FILE


def create_log_key(settings: Settings) -> bool:
    """Create the key if there is none; True if it was created."""
    path = key_path(settings)
    if path.exists():
        return False
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Ed25519Signer.generate().seed.hex() + "\n")
    except FileExistsError:
        return False
    except OSError as e:
        raise StorageError(f"cannot create the signing key {path}: {e.strerror}") from e
    return True


def load_log_key(settings: Settings) -> Ed25519Signer:
    path = key_path(settings)
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise StorageError(f"{path} is readable by others; fix with: chmod 600 {path}")
        text = path.read_text().strip()
    except FileNotFoundError:
        raise InvalidInput(f"no signing key in {path.parent}; run 'accord init' first") from None
    except OSError as e:
        raise StorageError(f"cannot read the signing key {path}: {e.strerror}") from e
    try:
        return Ed25519Signer(bytes.fromhex(text))
    except (ValueError, InvalidInput):
        raise StorageError(f"{path} does not hold an Ed25519 key") from None
