"""Releasing a message: decide, seal, and write the outbox row and the log entries together.

An officer of this node releases a body, under a label of the national policy, to a partner
nation for a capability and an activity. The decision is taken on the node's register; a denial is
logged and reported with every reason; a permit seals the body to the partner node's pinned
descriptor and writes, in one transaction, the outbox row (the envelope waits there for
[federation] to deliver it), the decision entry and the envelope-sent entry of the log.

Recipient clearance: a release to a nation goes to that nation's node, which decides again for each
of its readers (the read decision). At release time the receiving node stands for its readers
with its nation's highest level, so the clearance rule checks that the label translates into a
label the recipient's policy can carry for that nation; the officer's own clearance must dominate
the label (nobody releases what they may not read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from accord.clock import Clock
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.envelope import Release, recipients_of, seal
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, InvalidInput, NotFound
from accord.federation.outbox import OutboxEvent, OutboxState, transition
from accord.labels.json_form import label_from_dict, label_to_dict
from accord.labels.label import Label
from accord.node.decisions import decide_release, decision_entry
from accord.node.ids import resolve
from accord.node.outbox_log import log_changes
from accord.node.paging import filtered_page
from accord.node.users import Role, User, UserService
from accord.policy.engine import PolicyEngine
from accord.policy.model import Decision
from accord.store.database import Database
from accord.store.group_commit import GroupCommitter
from accord.store.outbox_repository import Change, OutboxRepository
from accord.store.tlog_repository import Appended
from accord.tlog.kinds import EnvelopeSentEntry

MAX_BODY = 16 * 1024 * 1024


def _then(
    committing: Future[tuple[Appended, Any]], result: Callable[[Appended], ReleaseResult]
) -> Future[ReleaseResult]:
    """A future of ``result(appended)`` once ``committing`` settles (its error if it failed)."""
    released: Future[ReleaseResult] = Future()

    def settle(done: Future[tuple[Appended, Any]]) -> None:
        error = done.exception()
        if error is not None:
            released.set_exception(error)
        else:
            released.set_result(result(done.result()[0]))

    committing.add_done_callback(settle)
    return released


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseResult:
    id: str | None
    decision: Decision
    log_index: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "log_index": self.log_index, **self.decision.to_dict()}


class MessagingService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        keys: NodeKeys,
        engine: PolicyEngine,
        users: UserService,
        partners: dict[str, NodeDescriptor],
        committer: GroupCommitter | None = None,
    ) -> None:
        self.database = database
        self.committer = committer or GroupCommitter(database)
        self.clock = clock
        self.keys = keys
        self.engine = engine
        self.users = users
        self.partners = partners

    def release(
        self,
        *,
        user_name: str,
        recipient: str,
        label: Label,
        capability: str,
        activity: str,
        body: bytes,
    ) -> ReleaseResult:
        return self.release_as(
            self.users.require(user_name, Role.OFFICER),
            recipient=recipient,
            label=label,
            capability=capability,
            activity=activity,
            body=body,
        )

    def release_as(
        self,
        user: User,
        *,
        recipient: str,
        label: Label,
        capability: str,
        activity: str,
        body: bytes | BinaryIO,
    ) -> ReleaseResult:
        """Release as ``user``, an active officer already authenticated (the API's caller)."""
        return self.release_submit(
            user,
            recipient=recipient,
            label=label,
            capability=capability,
            activity=activity,
            body=body,
        ).result()

    def release_submit(
        self,
        user: User,
        *,
        recipient: str,
        label: Label,
        capability: str,
        activity: str,
        body: bytes | BinaryIO,
    ) -> Future[ReleaseResult]:
        """Decide and seal here, then queue the outbox row and the log entries for the group
        commit: the future settles once they are committed (``release_as`` waits for it; the
        API's event loop awaits it)."""
        if isinstance(body, bytes) and len(body) > MAX_BODY:
            raise InvalidInput(f"a message body is at most {MAX_BODY} bytes")
        now = self.clock.now()
        decision = self._decide(user, recipient, label, capability, activity, now.date())
        label_json = label_to_dict(label)
        entry = decision_entry(
            decision,
            sender=self.keys.nation,
            recipient=recipient,
            capability=capability,
            activity=activity,
            label=label_json,
            user=user.name,
            at=now,
        )
        if not decision.permit:
            denying = self.committer.submit([entry.entry()])
            return _then(
                denying,
                lambda done: ReleaseResult(id=None, decision=decision, log_index=done.first_index),
            )
        partner = self._partner(recipient)
        sealed_bytes = io.BytesIO()
        sealed = seal(
            io.BytesIO(body) if isinstance(body, bytes) else body,
            sealed_bytes,
            sender=self.keys,
            recipients=recipients_of(partner, at=now),
            release=Release(
                label=label_json,
                capability=capability,
                activity=activity,
                agreements=decision.agreements,
            ),
            now=now,
        )
        envelope = sealed_bytes.getvalue()
        digest = hashlib.sha256(envelope).hexdigest()
        queued = self.committer.submit(
            [
                replace(entry, message=sealed.id).entry(),
                EnvelopeSentEntry(
                    envelope=sealed.id, digest=digest, recipient=partner.node, at=now
                ).entry(),
            ],
            inserts=lambda appended: [
                OutboxRepository.released_row(
                    message=sealed.id,
                    created_at=now,
                    sender_user=user.name,
                    recipient_nation=recipient,
                    recipient_node=partner.node,
                    capability=capability,
                    activity=activity,
                    label=label_json,
                    decision=decision.to_dict(),
                    envelope=envelope,
                    envelope_digest=digest,
                    log_index=appended.first_index,
                )
            ],
        )

        def released(done: Appended) -> ReleaseResult:
            log_changes([Change(sealed.id, OutboxEvent.RELEASED)], None)
            return ReleaseResult(id=sealed.id, decision=decision, log_index=done.first_index)

        return _then(queued, released)

    def _partner(self, nation: str) -> NodeDescriptor:
        found = [d for d in self.partners.values() if d.nation == nation]
        if not found:
            raise InvalidInput(
                f"no pinned node of {nation}: pin its descriptor with 'accord keys pin FILE'"
            )
        return sorted(found, key=lambda d: d.node)[0]

    def resolve(self, given: str, viewer: User | None = None) -> str:
        """The id of the sent message ``given`` (a whole id or a unique prefix) names, among
        those ``viewer`` may see (docs/node.md, "Ids")."""

        def visible(prefix: str) -> list[str]:
            with self.database.reading() as connection:
                found = OutboxRepository(connection).starting(prefix)
            return [e.id for e in found if self._visible(viewer, e.label)]

        return resolve(given, visible, "message")

    def envelope(self, message_id: str) -> bytes:
        with self.database.reading() as connection:
            found = OutboxRepository(connection).envelope(message_id)
        if found is None:
            raise NotFound(f"no message {message_id[:64]!r} in the outbox")
        return found

    def status(self, message_id: str, viewer: User | None = None) -> dict[str, Any]:
        """The sender's view of one message: its state (``federation.outbox``) with the reason,
        the attempts, the receiver's signed receipt once it answered, and its history (each
        change of state, oldest first). ``viewer``: an officer
        sees only messages whose label their clearance passes; any other is answered as absent
        (need to know)."""
        with self.database.reading() as connection:
            repository = OutboxRepository(connection)
            found = repository.entry(message_id)
            if found is None or not self._visible(viewer, found.label):
                raise NotFound(f"no message {message_id[:64]!r} in the outbox")
            history = repository.history(found.id)
        # Its life: released (the outbox row itself), then each change of state since.
        released = {"at": found.created_at, "state": "queued", "event": "released", "reason": None}
        return found.to_dict(detailed=True) | {
            "label": found.label,
            "history": [released, *(change.to_dict() for change in history)],
        }

    def outbox(self, viewer: User | None = None) -> list[dict[str, Any]]:
        """Every message sent; for an officer ``viewer``, those whose label they may read."""
        with self.database.reading() as connection:
            entries = OutboxRepository(connection).entries()
        return [e.to_dict() for e in entries if self._visible(viewer, e.label)]

    def outbox_page(
        self,
        viewer: User,
        *,
        limit: int = 50,
        before: tuple[str, str] | None = None,
        status: str | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
        """A page of the outbox, newest first, as ``viewer`` may see it (an officer: the
        messages whose label their clearance passes), and where the next page starts (None at
        the end; ``node.paging`` bounds the messages one page looks at)."""
        with self.database.reading() as connection:
            repository = OutboxRepository(connection)
            return filtered_page(
                lambda n, cursor: repository.page(n, cursor, status),
                lambda entry: (entry.created_at, entry.id),
                lambda entry: (
                    entry.to_dict() | {"label": entry.label}
                    if self._visible(viewer, entry.label)
                    else None
                ),
                limit=limit,
                before=before,
            )

    def health(self, since: dt.datetime) -> dict[str, int]:
        """Messages in each state, and how many were delivered since ``since``: counts only,
        for the roles that oversee the outbox (an officer's view is filtered by label)."""
        with self.database.reading() as connection:
            return OutboxRepository(connection).health(since)

    def preview(
        self, user: User, *, recipient: str, label: Label, capability: str, activity: str
    ) -> Decision:
        """The decision a release would get now, without releasing or logging anything (the
        console's live preview): the same checks as :meth:`release_submit`."""
        return self._decide(user, recipient, label, capability, activity, self.clock.today())

    def _decide(
        self,
        user: User,
        recipient: str,
        label: Label,
        capability: str,
        activity: str,
        day: dt.date,
    ) -> Decision:
        """The release decision for ``user`` (an active officer, who may read ``label``)."""
        if user.role is not Role.OFFICER or not user.active:
            raise InvalidInput(f"user {user.name} may not release: an active officer may")
        own_policy = self.engine.policy_of_nation(self.keys.nation)
        if own_policy is None:
            raise InvalidInput(f"no security policy for this node's nation {self.keys.nation}")
        readable = self.engine.read(label, user.clearance_under(own_policy, self.keys.nation, day))
        if not readable.permit:
            raise InvalidInput(
                f"{user.name} may not release what they may not read: {readable.reasons[0].message}"
            )
        return decide_release(
            self.engine, sender=self.keys.nation, recipient=recipient, label=label,
            capability=capability, activity=activity, day=day,
        )  # fmt: skip

    def retry(self, message_id: str) -> dict[str, Any]:
        """Send a message again at once: one the partner refused (decided afresh by the
        partner, in a new transaction), one held (decided again now), or one queued and backing
        off. A delivered message, or one being sent, is not retried (:class:`Conflict`)."""
        now = self.clock.now()
        with self.database.transaction() as connection:
            repository = OutboxRepository(connection)
            found = repository.entry(message_id)
            if found is None:
                raise NotFound(f"no message {message_id[:64]!r} in the outbox")
            transition(found.state, OutboxEvent.RETRIED)  # refuses what may not be retried
            change = Change(
                found.id, OutboxEvent.RETRIED, reason=f"retried by an operator from {found.state}"
            )
            if not repository.change_one(change, now):
                raise Conflict("the message changed state meanwhile: look at it again")
        log_changes([change], found.state)
        return self.status(message_id)

    def decide_held_again(self) -> int:
        """After a change of the register: every held message is due at once, to be decided
        again by the next delivery pass (``register-changed``). Returns how many."""
        now = self.clock.now()
        with self.database.transaction() as connection:
            repository = OutboxRepository(connection)
            changes = [
                Change(message, OutboxEvent.REGISTER_CHANGED, reason="the register changed")
                for message in repository.held()
            ]
            repository.change(changes, now)
        log_changes(changes, OutboxState.HELD)
        return len(changes)

    def _visible(self, viewer: User | None, label: Any) -> bool:
        """Officers read by clearance; auditors (and the node's own CLI, no viewer) see all."""
        if viewer is None or viewer.role is not Role.OFFICER:
            return True
        own = self.engine.policy_of_nation(self.keys.nation)
        if own is None:
            return False
        clearance = viewer.clearance_under(own, self.keys.nation, self.clock.today())
        return self.engine.read(label_from_dict(label), clearance).permit
