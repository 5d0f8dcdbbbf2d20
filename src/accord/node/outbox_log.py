"""One log line per change of a message's state in the outbox (``accord serve`` prints them):
the message id, the states before and after, the event, and the reason when there is one. Never
the message's content or label (docs/node.md, "What accord serve prints")."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from accord.federation.outbox import OutboxState, transition
from accord.store.outbox_repository import Change

log = logging.getLogger("accord.outbox")


def log_changes(changes: Sequence[Change], before: OutboxState | None) -> None:
    for change in changes:
        after = transition(before, change.event)
        reason = f": {change.reason}" if change.reason else ""
        log.info(
            "message %s: %s -> %s (%s)%s",
            change.message,
            before or "new",
            after,
            change.event,
            reason,
            # The same as fields, for `accord serve --log-format json` (docs/node.md).
            extra={
                "fields": {
                    "message": change.message,
                    "before": str(before) if before else None,
                    "after": str(after),
                    "event": str(change.event),
                    "reason": change.reason,
                }
            },
        )
