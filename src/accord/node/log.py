"""The node's transparency log and its witnessing of partners' logs.

``append_in(connection, ...)`` writes entries inside the caller's transaction (an envelope and
its entries commit together); ``append`` opens its own. Checkpoints are signed on demand and
stored once per size. ``verify_integrity`` recomputes the tree from the stored entries, which is
how tampering with any stored entry or hash is found.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accord.clock import Clock
from accord.config import Settings
from accord.crypto.signing import Ed25519Signer
from accord.errors import InvalidInput, StorageError
from accord.node.keys import load_log_key, node_name
from accord.store.database import Database
from accord.store.tlog_repository import (
    Appended,
    StoredCheckpoint,
    TlogRepository,
    WitnessedRow,
    append_in,
    in_transaction,
    node_key,
)
from accord.tlog import merkle
from accord.tlog.checkpoint import Checkpoint, log_verifier, sign_checkpoint
from accord.tlog.entries import LogEntry
from accord.tlog.kinds import CosignatureSeenEntry, WitnessAlarmEntry
from accord.tlog.note import NoteSignature, VerifierKey
from accord.tlog.proofs import ConsistencyProof, InclusionProof
from accord.tlog.witness import WitnessAlarm, WitnessedLog, witness, witness_key


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    size: int
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


_LIST_BATCH = 1000


#: One line per kind of entry (``ListedEntry.summary``); a release decision has its own.
_SUMMARIES = {
    "envelope-sent": "{envelope} to {recipient}",
    "envelope-received": "{envelope} from {sender}: {status}",
    "receipt": "{envelope} {status} by {by}",
    "agreement-event": "{agreement} {event}",
    "key-event": "{key} {event}",
    "cosignature-seen": "cosigned {origin} at size {size}",
    "witness-alarm": "{origin}: {reason}",
    "test": "synthetic entry {n}",
}
#: The fields that name the other side of an entry: a nation or a node.
_PARTNER_FIELDS = ("sender", "recipient", "by", "origin", "witness")


@dataclass(frozen=True, slots=True)
class ListedEntry:
    index: int
    kind: str
    fields: dict[str, Any]

    @classmethod
    def of(cls, index: int, kind: str, data: bytes) -> ListedEntry:
        value = json.loads(data)
        return cls(index, kind, value if isinstance(value, dict) else {})

    @property
    def summary(self) -> str:
        """One line on what the entry records (its fields in full: ``accord log show``)."""
        f = self.fields
        if self.kind == "release-decision":
            line = f"{f.get('decision')} {f.get('sender')} to {f.get('recipient')}, "
            line += f"{f.get('capability')}, by {f.get('user')}"
            failed = [str(r.get("rule")) for r in f.get("reasons") or () if isinstance(r, dict)]
            if failed:
                line += f"; failed: {', '.join(failed)}"
            return line + (f" (override: {f['override']})" if f.get("override") else "")
        template = _SUMMARIES.get(self.kind)
        if template is None:
            return ""
        try:
            return template.format_map(f)
        except (KeyError, ValueError):
            return ""

    def concerns(self, user: str | None, partner: str | None) -> bool:
        """Whether the entry names ``user`` (who acted) and ``partner`` (a nation or a node on
        the other side), each when given."""
        if user is not None and self.fields.get("user") != user:
            return False
        if partner is None:
            return True
        wanted = partner.casefold()
        return any(str(self.fields.get(key, "")).casefold() == wanted for key in _PARTNER_FIELDS)

    @property
    def day(self) -> dt.date | None:
        """The UTC day of the entry's ``at`` (None without one: synthetic test entries)."""
        at = self.fields.get("at")
        if not isinstance(at, str):
            return None
        try:
            written = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            return None
        if written.tzinfo is not None:
            written = written.astimezone(dt.UTC)
        return written.date()

    def within(self, start: dt.date | None, end: dt.date | None) -> bool:
        if start is None and end is None:
            return True
        day = self.day
        if day is None:
            return False
        return (start is None or start <= day) and (end is None or day <= end)


class LogService:
    def __init__(self, database: Database, settings: Settings, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        name = node_name(settings)
        self.origin = f"{name}/log"
        self.witness_name = name
        self._settings = settings
        self._signer: Ed25519Signer | None = None

    @property
    def signer(self) -> Ed25519Signer:
        if self._signer is None:
            self._signer = load_log_key(self._settings)
        return self._signer

    def verifier_key(self) -> VerifierKey:
        return log_verifier(self.origin, self.signer.public_key)

    def cosigner_key(self) -> VerifierKey:
        return witness_key(self.witness_name, self.signer.public_key)

    # -- writing --------------------------------------------------------------------------

    def append(self, entries: Sequence[LogEntry]) -> Appended:
        encoded = [(e.kind.value, e.encode()) for e in entries]
        return in_transaction(self.database, lambda c: TlogRepository(c).append(encoded))

    def checkpoint(self) -> StoredCheckpoint:
        """The signed checkpoint of the log as it is now (signed once per size)."""
        with self.database.transaction() as connection:
            repository = TlogRepository(connection)
            size, root = repository.root()
            existing = repository.checkpoint(size)
            if existing is not None:
                if existing.root_hash != root:
                    raise StorageError(
                        f"the log's root at size {size} is not the one signed for that size: "
                        "the stored log has been altered"
                    )
                return existing
            note = sign_checkpoint(Checkpoint(self.origin, size, root), self.signer)
            stored = StoredCheckpoint(size, root, note.encode(), self.clock.now().isoformat())
            return repository.save_checkpoint(stored)

    # -- reading --------------------------------------------------------------------------

    def size(self) -> int:
        with self.database.reading() as connection:
            return TlogRepository(connection).size()

    def entry(self, index: int) -> tuple[str, bytes]:
        with self.database.reading() as connection:
            return TlogRepository(connection).entry(index)

    def listing(
        self,
        *,
        kinds: Sequence[str] = (),
        start: dt.date | None = None,
        end: dt.date | None = None,
        limit: int = 50,
        before: int | None = None,
        user: str | None = None,
        partner: str | None = None,
    ) -> list[ListedEntry]:
        """The newest entries (below index ``before``), of ``kinds`` when given, written from
        ``start`` to ``end`` (days, both included) when given: up to ``limit`` of them, newest
        first. The day is the entry's ``at`` (UTC); entries are not in time order in general
        (a node's clock may be set back), so a range reads the log back to its start. ``user``
        and ``partner``: only entries that name them (``ListedEntry.concerns``)."""
        found: list[ListedEntry] = []
        with self.database.reading() as connection:
            repository = TlogRepository(connection)
            cursor = repository.size() if before is None else before
            while len(found) < limit and cursor > 0:
                rows = repository.entries_before(cursor, _LIST_BATCH, kinds)
                if not rows:
                    break
                for index, kind, data in rows:
                    listed = ListedEntry.of(index, kind, data)
                    if listed.within(start, end) and listed.concerns(user, partner):
                        found.append(listed)
                        if len(found) == limit:
                            break
                cursor = rows[-1][0]
        return found

    def prove(self, index: int, size: int | None = None) -> InclusionProof:
        with self.database.reading() as connection:
            repository = TlogRepository(connection)
            size, path = repository.inclusion_proof(index, size)
            _, root = repository.root(size)
            leaf = repository.nodes([(0, index)])[(0, index)]
        return InclusionProof(index, size, leaf, root, tuple(path))

    def consistency(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        with self.database.reading() as connection:
            repository = TlogRepository(connection)
            new_size, path = repository.consistency_proof(old_size, new_size)
            _, old_root = repository.root(old_size)
            _, new_root = repository.root(new_size)
        return ConsistencyProof(old_size, new_size, old_root, new_root, tuple(path))

    def verify_integrity(self, batch: int = 10_000) -> IntegrityReport:
        """Rebuild the tree from the stored entries and compare every stored node and every
        signed checkpoint's root."""
        problems: list[str] = []
        tree = merkle.MemoryTree()
        with self.database.reading() as connection:
            repository = TlogRepository(connection)
            size = repository.size()
            for start in range(0, size, batch):
                for data in repository.entries(start, min(size, start + batch)):
                    tree.append(merkle.leaf_hash(data))
            if tree.size != size:
                problems.append(f"the head says {size} entries, {tree.size} are stored")
            stored = repository.all_nodes()
            for level, hashes in enumerate(tree.levels):
                for index, value in enumerate(hashes):
                    if stored.get(node_key((level, index))) != value:
                        problems.append(f"tree node ({level}, {index}) does not match the entries")
            for checkpoint in repository.checkpoints():
                if (
                    checkpoint.size > tree.size
                    or tree.root(checkpoint.size) != checkpoint.root_hash
                ):
                    problems.append(f"the checkpoint at size {checkpoint.size} no longer matches")
        return IntegrityReport(size=size, problems=tuple(problems[:100]))

    # -- witnessing partners --------------------------------------------------------------

    def add_witnessed_log(self, log_key: VerifierKey) -> None:
        """Start witnessing a partner's log, pinned to its verifier key, from the empty tree."""
        with self.database.transaction() as connection:
            repository = TlogRepository(connection)
            row = WitnessedRow(log_key.name, log_key.encode(), 0, merkle.EMPTY_ROOT, "")
            repository.save_witnessed(
                row, updated_at=self.clock.now().isoformat(), expected_size=None
            )

    def cosign(self, origin: str, checkpoint_note: str, proof: Sequence[bytes]) -> NoteSignature:
        """Cosign a partner's checkpoint after checking it against the last one cosigned. On any
        inconsistency the alarm is recorded in this node's own log, then raised."""
        now = self.clock.now()
        with self.database.reading() as connection:
            row = TlogRepository(connection).witnessed(origin)
        state = WitnessedLog(
            VerifierKey.parse(row.log_key), row.size, row.root_hash, row.checkpoint_note
        )
        try:
            new_state, signature = witness(
                state,
                checkpoint_note,
                list(proof),
                name=self.witness_name,
                signer=self.signer,
                timestamp=int(now.timestamp()),
            )
        except WitnessAlarm as alarm:
            self.append(
                [
                    WitnessAlarmEntry(
                        origin=origin, reason=alarm.reason, evidence=alarm.evidence, at=now
                    ).entry()
                ]
            )
            raise
        except InvalidInput as e:
            raise InvalidInput(f"{origin}: {e.reason}") from None
        with self.database.transaction() as connection:
            repository = TlogRepository(connection)
            repository.save_witnessed(
                WitnessedRow(
                    origin,
                    row.log_key,
                    new_state.size,
                    new_state.root_hash,
                    new_state.checkpoint_note,
                ),
                updated_at=now.isoformat(),
                expected_size=row.size,
            )
            append_in(
                connection,
                [
                    CosignatureSeenEntry(
                        origin=origin,
                        size=new_state.size,
                        root_hash=new_state.root_hash.hex(),
                        witness=self.witness_name,
                        at=now,
                    ).entry()
                ],
            )
        return signature
