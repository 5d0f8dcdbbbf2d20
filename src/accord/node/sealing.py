"""Sealing a file for hand delivery (``accord seal``): decided and logged as a release is.

A sealed file leaves the node as surely as a message sent through the outbox, so it passes the
same release decision (``decide_release``: the node's register, the label, the recipient's nation
standing for its readers) once per recipient nation, and the log records it: a refusal writes a
``release-decision`` entry per nation with ``decision: deny``; a seal writes a permitting
``release-decision`` entry per nation (with the envelope's id) and an ``envelope-sent`` entry per
recipient node (with the SHA-256 of the sealed bytes), committed before the envelope is put in
place.

``--unsafe-skip-decision`` seals whatever the decision said. The decision is still taken and
logged as it came out, with ``override: unsafe-skip-decision``, so an auditor sees both what the
rules said and that someone overrode them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, BinaryIO

from accord.clock import Clock
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.envelope import Release, Sealed, recipients_of, seal
from accord.crypto.keys import NodeKeys
from accord.errors import InvalidInput
from accord.labels.json_form import label_to_dict
from accord.labels.label import Label
from accord.node.decisions import decide_release, decision_entry
from accord.policy.engine import PolicyEngine
from accord.policy.model import Decision
from accord.store.group_commit import GroupCommitter
from accord.tlog.entries import LogEntry
from accord.tlog.kinds import EnvelopeSentEntry

#: The ``override`` field of a decision entry whose outcome was not obeyed.
SKIPPED = "unsafe-skip-decision"


@dataclass(frozen=True, slots=True, kw_only=True)
class SealResult:
    #: The envelope's id, or None when the release was refused.
    id: str | None
    #: The decision for each recipient nation.
    decisions: dict[str, Decision]
    #: Where the first of this seal's log entries went.
    log_index: int
    sealed: Sealed | None
    overridden: bool

    @property
    def permit(self) -> bool:
        return all(d.permit for d in self.decisions.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "permit": self.permit,
            "overridden": self.overridden,
            "log_index": self.log_index,
            "segments": self.sealed.segments if self.sealed else None,
            "body_bytes": self.sealed.body_bytes if self.sealed else None,
            "decisions": {nation: d.to_dict() for nation, d in self.decisions.items()},
        }


class _Digesting:
    """A write-only stream that hashes what passes through it to ``sink``."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.sink.write(data)


class SealingService:
    def __init__(
        self,
        clock: Clock,
        *,
        keys: NodeKeys,
        engine: PolicyEngine,
        committer: GroupCommitter,
    ) -> None:
        self.clock = clock
        self.keys = keys
        self.engine = engine
        self.committer = committer

    def seal(
        self,
        source: BinaryIO,
        open_sink: Callable[[], AbstractContextManager[BinaryIO]],
        *,
        recipients: Sequence[NodeDescriptor],
        label: Label,
        capability: str,
        activity: str,
        operator: str,
        skip_decision: bool = False,
        agreements: Sequence[str] = (),
        cbor: bool = False,
    ) -> SealResult:
        """Decide for each recipient nation; when every one permits (or ``skip_decision``), seal
        ``source`` into the sink ``open_sink()`` gives and log it; else log the refusal and open
        no sink. ``agreements`` (named by hand) are only taken with ``skip_decision``: otherwise
        the decisions name the agreements that permit the release."""
        if not recipients:
            raise InvalidInput("an envelope needs at least one recipient")
        if agreements and not skip_decision:
            raise InvalidInput(
                "--agreement is only for --unsafe-skip-decision: "
                "the release decision names the agreements that permit it"
            )
        now = self.clock.now()
        nations = sorted({d.nation for d in recipients})
        decisions = {
            nation: decide_release(
                self.engine,
                sender=self.keys.nation,
                recipient=nation,
                label=label,
                capability=capability,
                activity=activity,
                day=now.date(),
            )
            for nation in nations
        }
        label_json = label_to_dict(label)

        def decided(nation: str, message: str | None) -> LogEntry:
            return decision_entry(
                decisions[nation],
                sender=self.keys.nation,
                recipient=nation,
                capability=capability,
                activity=activity,
                label=label_json,
                user=operator,
                at=now,
                message=message,
                override=SKIPPED if skip_decision else None,
            ).entry()

        permitted = all(d.permit for d in decisions.values())
        if not permitted and not skip_decision:
            appended, _ = self.committer.write([decided(n, None) for n in nations])
            return SealResult(
                id=None,
                decisions=decisions,
                log_index=appended.first_index,
                sealed=None,
                overridden=False,
            )
        named = tuple(agreements) if skip_decision and agreements else ()
        release = Release(
            label=label_json,
            capability=capability,
            activity=activity,
            agreements=named or _union(d.agreements for d in decisions.values()),
        )
        with open_sink() as sink:
            digesting = _Digesting(sink)
            sealed = seal(
                source,
                digesting,  # type: ignore[arg-type]  # seal only writes to its sink
                sender=self.keys,
                recipients=[r for d in recipients for r in recipients_of(d, at=now)],
                release=release,
                now=now,
                cbor=cbor,
            )
            digest = digesting.hash.hexdigest()
            # Logged before the sink is put in place: no envelope leaves without its entries.
            appended, _ = self.committer.write(
                [decided(n, sealed.id) for n in nations]
                + [
                    EnvelopeSentEntry(
                        envelope=sealed.id, digest=digest, recipient=node, at=now
                    ).entry()
                    for node in sorted({d.node for d in recipients})
                ]
            )
        return SealResult(
            id=sealed.id,
            decisions=decisions,
            log_index=appended.first_index,
            sealed=sealed,
            overridden=not permitted,
        )


def _union(groups: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for agreement in group:
            seen.setdefault(agreement, None)
    return tuple(seen)
