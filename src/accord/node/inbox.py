"""Receiving a partner's envelope, and the inbox of this node's readers.

Receiving (``accept``): the envelope is verified against the sender's pinned descriptor; the
release is decided again under this node's own register and policies (both nations must agree
that the agreement is in force); on acceptance the envelope, its label as this nation's policy
expresses it, and an ``envelope-received`` log entry are stored in one transaction; a refusal is
logged and reported with every reason. The envelope stays sealed at rest; it is opened for a
reader only after that reader's read decision.

Reading: a user sees only the messages whose label their clearance passes (ACDF under the
national policy); others are not listed, so a reader never learns that a message above their
clearance exists, and asking for one by id is answered as for a message that does not exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from accord.clock import Clock
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.envelope import open_envelope, verify
from accord.crypto.keys import NodeKeys
from accord.crypto.wire import Limits, Reader
from accord.errors import Conflict, InvalidInput, NotFound, ReleaseDenied
from accord.labels.json_form import label_from_dict, label_to_dict
from accord.labels.reading import checked
from accord.node.decisions import decide_release
from accord.node.ids import resolve
from accord.node.paging import filtered_page
from accord.node.users import User
from accord.policy.engine import PolicyEngine
from accord.policy.model import Decision
from accord.store.database import Database, is_duplicate
from accord.store.group_commit import GroupCommitter, Insert
from accord.store.inbox_repository import InboxMessage, InboxRepository
from accord.store.tlog_repository import Appended
from accord.tlog.kinds import EnvelopeReceivedEntry

MAX_ENVELOPE = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Accepted:
    id: str
    sender: str
    marking: str
    log_index: int


class InboxService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        keys: NodeKeys,
        engine: PolicyEngine,
        partners: dict[str, NodeDescriptor],
        committer: GroupCommitter | None = None,
    ) -> None:
        self.database = database
        self.committer = committer or GroupCommitter(database)
        self.clock = clock
        self.keys = keys
        self.engine = engine
        self.partners = partners

    def accept(
        self,
        envelope: bytes,
        *,
        expected_id: str | None = None,
        along: Callable[[Decision, int], Sequence[Insert]] | None = None,
    ) -> Accepted:
        """Verify, decide again, and store an accepted envelope with its log entry (a refused one
        only logged, then ``ReleaseDenied``). ``along(decision, log_index)`` gives rows to insert in
        the same transaction (the federation receipt is kept with what it attests)."""
        return self.accept_submit(envelope, expected_id=expected_id, along=along).result()

    def accept_submit(
        self,
        envelope: bytes,
        *,
        expected_id: str | None = None,
        expected_sender: str | None = None,
        along: Callable[[Decision, int], Sequence[Insert]] | None = None,
    ) -> Future[Accepted]:
        """``accept``, with the storing queued for the group commit: verification and the
        decision happen here (their errors are raised here); the future settles with the
        ``Accepted`` once committed, or with ``ReleaseDenied`` or the storing's error.
        ``expected_sender``: the node that must have sealed it (a federation request's origin)."""
        if len(envelope) > MAX_ENVELOPE:
            raise InvalidInput(f"an envelope is at most {MAX_ENVELOPE} bytes")
        sender = self.sender_of(envelope)
        if expected_sender is not None and sender.node != expected_sender:
            raise InvalidInput(f"the envelope was sealed by {sender.node}, not {expected_sender}")
        checked_envelope = verify(io.BytesIO(envelope), sender)
        header = checked_envelope.header
        if expected_id is not None and header.id != expected_id:
            raise InvalidInput(f"the envelope's id is not {expected_id[:64]!r}")
        if not header.addressed_to(self.keys.node):
            raise InvalidInput(f"the envelope is not addressed to {self.keys.node}")
        if header.activity is None:
            # The envelope format allows a release with no activity (a hand-sealed file); a node
            # decides a partner's release only against the activity it names.
            raise InvalidInput("the envelope names no activity, so no agreement's scope covers it")
        label = checked(label_from_dict(header.label), self.engine.policies)
        now = self.clock.now()
        decision = decide_release(
            self.engine,
            sender=sender.nation,
            recipient=self.keys.nation,
            label=label,
            capability=header.capability,
            activity=header.activity,
            day=now.date(),
        )
        stamp = now.astimezone(dt.UTC).isoformat()
        entry = EnvelopeReceivedEntry(
            envelope=header.id,
            digest=hashlib.sha256(envelope).hexdigest(),
            sender=sender.node,
            status="accepted" if decision.permit else "rejected",
            agreements=decision.agreements,
            register_version=decision.register_version,
            at=now,
        )
        accepted = decision.permit and decision.recipient_label is not None

        row = (
            {
                "id": header.id,
                "received_at": stamp,
                "sender_node": sender.node,
                "sender_nation": sender.nation,
                "capability": header.capability,
                "activity": header.activity,
                "label": header.label,
                "local_label": label_to_dict(decision.recipient_label),
                "local_marking": decision.recipient_marking or "",
                "envelope": envelope,
            }
            if accepted and decision.recipient_label is not None
            else None
        )

        # An envelope already received is refused inside the transaction that would write it
        # (the log entry rolls back with it): an accepted one by the inbox's primary key (no
        # query on the common path; the group commit then retries the batch one write at a time
        # and this write alone fails), a refused one by looking.
        check = None if row is not None else InboxRepository.refusing_duplicate(header.id)

        def inserts(appended: Appended) -> list[Insert]:
            rows: list[Insert] = []
            if row is not None:
                rows.append(InboxRepository.accepted_row(row, appended.first_index))
            if along is not None:
                rows.extend(along(decision, appended.first_index))
            return rows

        committing = self.committer.submit([entry.entry()], check, inserts=inserts)
        stored: Future[Accepted] = Future()

        def settle(done: Future[tuple[Appended, None]]) -> None:
            error = done.exception()
            if is_duplicate(error):
                error = Conflict(f"envelope {header.id} was already received")
            if error is not None:
                stored.set_exception(error)
                return
            appended = done.result()[0]
            if not accepted:
                # The refusal is logged (committed) and reported with every reason.
                stored.set_exception(
                    ReleaseDenied(
                        {
                            "id": header.id,
                            "log_index": appended.first_index,
                            **decision.to_dict(),
                        }
                    )
                )
                return
            stored.set_result(
                Accepted(
                    id=header.id,
                    sender=sender.node,
                    marking=decision.recipient_marking or "",
                    log_index=appended.first_index,
                )
            )

        committing.add_done_callback(settle)
        return stored

    def sender_of(self, envelope: bytes) -> NodeDescriptor:
        """The pinned partner an envelope says sealed it (checked when it is verified)."""
        try:
            node = Reader(io.BytesIO(envelope), Limits()).claimed_sender()
        except InvalidInput:
            raise InvalidInput("not an Accord envelope") from None
        descriptor = self.partners.get(str(node))
        if descriptor is None:
            raise InvalidInput(f"the sender {str(node)[:64]!r} is not a pinned partner")
        return descriptor

    # -- reading ----------------------------------------------------------------------------

    def _readable(self, user: User, message: InboxMessage) -> bool:
        own = self.engine.policy_of_nation(self.keys.nation)
        assert own is not None
        clearance = user.clearance_under(own, self.keys.nation, self.clock.today())
        return self.engine.read(label_from_dict(message.local_label), clearance).permit

    def list_for(self, user: User) -> list[dict[str, Any]]:
        with self.database.reading() as connection:
            messages = InboxRepository(connection).entries()
        return [_listed(m) for m in messages if self._readable(user, m)]

    def page_for(
        self,
        user: User,
        *,
        limit: int = 50,
        before: tuple[str, str] | None = None,
        sender_nation: str | None = None,
        capability: str | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
        """A page of what ``user`` may read, newest first (from ``sender_nation``, for
        ``capability``, if given), and where the next page starts (None at the end;
        ``node.paging`` bounds the messages one page looks at)."""
        with self.database.reading() as connection:
            repository = InboxRepository(connection)
            return filtered_page(
                lambda n, cursor: repository.page(
                    n, cursor, sender_nation=sender_nation, capability=capability
                ),
                lambda message: (message.received_at, message.id),
                lambda message: _listed(message) if self._readable(user, message) else None,
                limit=limit,
                before=before,
            )

    def describe_for(self, user: User, message_id: str) -> dict[str, Any]:
        """One message as the inbox lists it, if ``user`` may read it (else not found)."""
        with self.database.reading() as connection:
            found = InboxRepository(connection).entry(message_id)
        if found is None or not self._readable(user, found):
            raise NotFound(f"no message {message_id[:64]!r}")
        return _listed(found)

    def resolve_for(self, user: User, given: str) -> str:
        """The id of the message ``given`` (a whole id or a unique prefix) names among those
        ``user`` may read (docs/node.md, "Ids")."""

        def readable(prefix: str) -> list[str]:
            with self.database.reading() as connection:
                found = InboxRepository(connection).starting(prefix)
            return [m.id for m in found if self._readable(user, m)]

        return resolve(given, readable, "message")

    def read(self, user: User, message_id: str) -> bytes:
        return self.read_marked(user, message_id)[1]

    def read_marked(self, user: User, message_id: str) -> tuple[dict[str, Any], bytes]:
        """The message as ``user``'s inbox lists it (its marking under this node's policy in
        ``label``) and its content, after their read decision."""
        with self.database.reading() as connection:
            found = InboxRepository(connection).sealed(message_id)
        # Unreadable and absent look the same: a reader never learns a message exists.
        if found is None or not self._readable(user, found[0]):
            raise NotFound(f"no message {message_id[:64]!r}")
        message, envelope = found
        sender = self.partners.get(message.sender_node)
        if sender is None:
            raise InvalidInput(f"the sender {message.sender_node} is no longer pinned")
        out = io.BytesIO()
        open_envelope(io.BytesIO(envelope), out, recipient=self.keys, sender=sender)
        return _listed(message), out.getvalue()


def _listed(message: InboxMessage) -> dict[str, Any]:
    """A message as its reader sees it: the label as the reader's own policy marks it."""
    return {
        "id": message.id,
        "from": message.sender_node,
        "nation": message.sender_nation,
        "label": message.local_marking,
        "received": message.received_at,
        "capability": message.capability,
        "activity": message.activity,
        "log_index": message.log_index,
    }
