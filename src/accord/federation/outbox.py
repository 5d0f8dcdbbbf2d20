"""A released message's life in the sender's outbox, as one state machine (in the manner of h11's
``_state.py``): the states, the events that move a message between them, and the one table of
allowed transitions. Every change of a message's state goes through :func:`transition`; the store
applies it only to a message still in the state it was decided from.

Nothing permitted is ever thrown away (DESIGN.md, "Nothing permitted is lost"): a message the
partner refused stays in the outbox, marked ``refused`` with the partner's signed reason, and an
operator may send it again (``retried``), for example once the partner's register has caught up.
``delivered`` is the only final state.

    released        -> queued      the release was permitted, sealed and logged
    queued          -> sending     a delivery pass claimed it (a lease: see ``claimed`` below)
    held            -> sending     claimed again, to be decided again on today's register
    sending         -> sending     claimed again after the lease of a pass that died ran out
    sending         -> held        decided again before sending, and no longer permitted
    sending         -> queued      the send failed (unreachable, bad answer): retried with backoff
    sending         -> delivered   the partner's signed receipt accepted it
    sending         -> refused     the partner's signed receipt refused it, with the reason
    held            -> queued      the register changed: decided again at once
    refused, held,
    queued          -> queued      an operator retried it: sent (or decided) again at once
"""

from __future__ import annotations

from enum import StrEnum

from accord.errors import Conflict


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    HELD = "held"
    DELIVERED = "delivered"
    REFUSED = "refused"


class OutboxEvent(StrEnum):
    RELEASED = "released"
    CLAIMED = "claimed"
    HELD = "held"
    SEND_FAILED = "send-failed"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    REGISTER_CHANGED = "register-changed"
    RETRIED = "retried"


class InvalidTransition(Conflict):
    """The event is not allowed in the message's state (a retry of a delivered message)."""


S, E = OutboxState, OutboxEvent

#: (state before, event) -> state after. ``None`` stands for "not yet in the outbox".
TRANSITIONS: dict[tuple[OutboxState | None, OutboxEvent], OutboxState] = {
    (None, E.RELEASED): S.QUEUED,
    (S.QUEUED, E.CLAIMED): S.SENDING,
    (S.HELD, E.CLAIMED): S.SENDING,
    (S.SENDING, E.CLAIMED): S.SENDING,
    (S.SENDING, E.HELD): S.HELD,
    (S.SENDING, E.SEND_FAILED): S.QUEUED,
    (S.SENDING, E.ACCEPTED): S.DELIVERED,
    (S.SENDING, E.REFUSED): S.REFUSED,
    (S.HELD, E.REGISTER_CHANGED): S.QUEUED,
    (S.REFUSED, E.RETRIED): S.QUEUED,
    (S.HELD, E.RETRIED): S.QUEUED,
    (S.QUEUED, E.RETRIED): S.QUEUED,
}

#: What an operator is told when a retry is not allowed.
_NOT_RETRYABLE = {
    S.DELIVERED: "it was delivered: there is nothing to send again",
    S.SENDING: "a delivery pass is sending it now",
}


def transition(state: OutboxState | None, event: OutboxEvent) -> OutboxState:
    """The state after ``event`` in ``state``; :class:`InvalidTransition` if it is not allowed."""
    after = TRANSITIONS.get((state, event))
    if after is None:
        if event is E.RETRIED and state in _NOT_RETRYABLE:
            raise InvalidTransition(f"the message cannot be retried: {_NOT_RETRYABLE[state]}")
        raise InvalidTransition(f"a message that is {state or 'not sent'} cannot be {event}")
    return after


def states_allowing(event: OutboxEvent) -> tuple[OutboxState, ...]:
    """The states in which ``event`` is allowed (the store's guard when it applies one)."""
    return tuple(
        before for (before, happened) in TRANSITIONS if happened is event and before is not None
    )


#: The states a delivery pass claims from (due once their next attempt's time has come).
CLAIMABLE = states_allowing(OutboxEvent.CLAIMED)
