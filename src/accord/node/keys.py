"""The node's keys on disk, and the descriptors of partners it has pinned.

- ``$ACCORD_HOME/keys/node-keys.json``: the node's key set (``accord keys generate``), 0600 in a
  0700 directory, plain or sealed under ``ACCORD_KEY_PASSPHRASE``. A key file that others can
  read is refused, not used.
- ``$ACCORD_HOME/keys/log-signing.key``: an Ed25519 seed the transparency log used before the
  node had a key set; the log signs with the key set's active Ed25519 key when there is one.
- ``$ACCORD_HOME/pinned/<node>.json``: partners' descriptors. Replacing one requires the new
  descriptor to be signed by a key the pinned one holds.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import threading
from pathlib import Path

from accord.config import Settings
from accord.crypto import keystore
from accord.crypto.descriptor import NodeDescriptor, parse_descriptor
from accord.crypto.keys import KeyRecord, NodeKeys
from accord.crypto.signing import Ed25519Signer
from accord.errors import Conflict, InvalidInput, NotFound, StorageError

KEY_FILE = "log-signing.key"
KEY_SET_FILE = "node-keys.json"
PASSPHRASE_VARIABLE = "ACCORD_KEY_PASSPHRASE"  # noqa: S105 (the name of a variable)
_NODE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,200}$")


def key_path(settings: Settings) -> Path:
    return settings.home_path / "keys" / KEY_FILE


def key_set_path(settings: Settings) -> Path:
    return settings.home_path / "keys" / KEY_SET_FILE


def _write_private(path: Path, data: bytes, *, replace: bool) -> None:
    """Write a secret file 0600 (atomically when replacing, so a crash never leaves half a key)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = path.with_suffix(path.suffix + ".tmp") if replace else path
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(target, path)
    except FileExistsError:
        raise Conflict(f"{path} already exists") from None
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror}") from e


def _read_private(path: Path, missing: str) -> bytes:
    try:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise StorageError(f"{path} is readable by others; fix with: chmod 600 {path}")
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(missing) from None
    except OSError as e:
        raise StorageError(f"cannot read {path}: {e.strerror}") from e


def create_log_key(settings: Settings) -> bool:
    """Create the log's own key if there is none; True if it was created."""
    path = key_path(settings)
    if path.exists():
        return False
    try:
        _write_private(path, Ed25519Signer.generate().seed.hex().encode() + b"\n", replace=False)
    except Conflict:
        return False
    return True


def load_log_key(settings: Settings) -> Ed25519Signer:
    """The key the transparency log signs with: the key set's first Ed25519 key, else the log's
    own key. A log's key is its identity (C2SP signed-note: witnesses pin it and refuse a
    change), so a rotation leaves it signing the log; it may not be retired."""
    if key_set_path(settings).exists():
        first = log_key_of(load_key_set(settings))
        if first is not None and first.private is not None:
            return Ed25519Signer(first.private)
    text = _read_private(
        key_path(settings),
        f"no signing key in {key_path(settings).parent}; run 'accord init' first",
    )
    try:
        return Ed25519Signer(bytes.fromhex(text.decode().strip()))
    except (ValueError, InvalidInput):
        raise StorageError(f"{key_path(settings)} does not hold an Ed25519 key") from None


def log_key_of(keys: NodeKeys) -> KeyRecord | None:
    """The key of the set that signs the transparency log: its first Ed25519 key."""
    return next((k for k in keys.keys if k.algorithm == "ed25519"), None)


def passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_VARIABLE)
    return value.encode() if value else None


def load_key_set(settings: Settings) -> NodeKeys:
    path = key_set_path(settings)
    data = _read_private(
        path, f"no node key set in {path.parent}; run 'accord keys generate' first"
    )
    return keystore.load(data, passphrase())


def save_key_set(settings: Settings, keys: NodeKeys, *, new: bool) -> Path:
    path = key_set_path(settings)
    _write_private(path, keystore.dump(keys, passphrase()), replace=not new)
    return path


def change_key_set(
    settings: Settings, change: str, now: dt.datetime, key_id: str | None = None
) -> NodeKeys:
    """Rotate the node's keys (``rotate``), or revoke or retire one (by id), and save the set:
    a serving node reads it again on its next use (:class:`OwnKeys`)."""
    keys = load_key_set(settings)
    if change == "rotate":
        updated = keys.rotate(now)
    elif change == "revoke" and key_id is not None:
        updated = keys.revoke(key_id)
    elif change == "retire" and key_id is not None:
        log_key = log_key_of(keys)
        if log_key is not None and keys.key(key_id).id == log_key.id:
            raise Conflict(
                f"key {log_key.id} signs the transparency log, whose key may not change: "
                "it is kept (superseded keys sign nothing else)"
            )
        updated = keys.retire(key_id)
    else:
        raise InvalidInput(f"no key change {change!r}")
    save_key_set(settings, updated, new=False)
    return updated


def _stamp(path: str) -> tuple[int, int] | None:
    """What tells whether a file or directory changed since it was read (None: absent)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_ino


class OwnKeys:
    """The node's key set, read again when its file changes (a rotation by the CLI or the
    console reaches every serving process on its next use: one stat per use)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._path = str(key_set_path(settings))
        self._seen: tuple[int, int] | None = None
        self._keys: NodeKeys | None = None
        self._lock = threading.Lock()

    def current(self) -> NodeKeys:
        # The set is written to a temporary file renamed into place: a new inode each time.
        stamp = _stamp(self._path)
        with self._lock:
            if self._keys is None or stamp != self._seen:
                self._keys = load_key_set(self.settings)
                self._seen = stamp
            return self._keys


# -- pinned descriptors of partners ----------------------------------------------------------


def _pinned_path(settings: Settings, node: str) -> Path:
    if not _NODE_NAME.match(node):
        raise InvalidInput(f"{node!r} is not a node name")
    return settings.home_path / "pinned" / f"{node}.json"


def pinned(settings: Settings, node: str) -> NodeDescriptor:
    path = _pinned_path(settings, node)
    try:
        return parse_descriptor(path.read_bytes())
    except FileNotFoundError:
        raise NotFound(
            f"no pinned descriptor for {node}; pin one with 'accord keys pin FILE'"
        ) from None


def pin(settings: Settings, data: bytes) -> tuple[NodeDescriptor, bool]:
    """Pin a partner's descriptor; an update must be signed by a key already pinned.
    Returns the descriptor and whether it replaced an earlier one."""
    descriptor = parse_descriptor(data)
    path = _pinned_path(settings, descriptor.node)
    replaced = path.exists()
    if replaced:
        descriptor = parse_descriptor(data, pinned=pinned(settings, descriptor.node))
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(descriptor.encode())
        os.replace(temporary, path)
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror}") from e
    return descriptor, replaced


def pinned_all(settings: Settings) -> dict[str, NodeDescriptor]:
    """Every pinned partner descriptor, by node name."""
    directory = settings.home_path / "pinned"
    found: dict[str, NodeDescriptor] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        descriptor = parse_descriptor(path.read_bytes())
        found[descriptor.node] = descriptor
    return found


class PinnedPartners:
    """The pinned descriptors, parsed again only when the pinned directory changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        #: A string, not a Path: one stat per release, without building a path each time.
        self._directory = str(settings.home_path / "pinned")
        self._seen: tuple[int, int] | bool | None = False
        self._partners: dict[str, NodeDescriptor] = {}
        self._lock = threading.Lock()

    def current(self) -> dict[str, NodeDescriptor]:
        # A pin writes a temporary file and renames it into place: both change the directory's
        # modification time, so one stat tells whether anything changed.
        stamp = _stamp(self._directory)
        with self._lock:
            if stamp != self._seen:
                self._partners = pinned_all(self.settings)
                self._seen = stamp
            return self._partners


def node_name(settings: Settings) -> str:
    """The node's name: its key set's, else ``ACCORD_NODE_NAME``."""
    if key_set_path(settings).exists():
        return load_key_set(settings).node
    return settings.node_name


def unpin(settings: Settings, node: str) -> None:
    """Forget a partner's descriptor (its envelopes and requests are refused from now on)."""
    path = _pinned_path(settings, node)
    try:
        path.unlink()
    except FileNotFoundError:
        raise NotFound(f"no pinned descriptor for {node}") from None
    except OSError as e:
        raise StorageError(f"cannot remove {path}: {e.strerror}") from e
