"""The outbox's state machine: every allowed transition, and the ones refused."""

import pytest

from accord.federation.outbox import (
    CLAIMABLE,
    TRANSITIONS,
    InvalidTransition,
    OutboxEvent,
    OutboxState,
    states_allowing,
    transition,
)


def test_a_release_is_queued_then_claimed_then_settled():
    state = transition(None, OutboxEvent.RELEASED)
    assert state is OutboxState.QUEUED
    state = transition(state, OutboxEvent.CLAIMED)
    assert state is OutboxState.SENDING
    assert transition(state, OutboxEvent.ACCEPTED) is OutboxState.DELIVERED
    assert transition(state, OutboxEvent.REFUSED) is OutboxState.REFUSED
    assert transition(state, OutboxEvent.SEND_FAILED) is OutboxState.QUEUED
    assert transition(state, OutboxEvent.HELD) is OutboxState.HELD


def test_delivered_is_final():
    for event in OutboxEvent:
        with pytest.raises(InvalidTransition):
            transition(OutboxState.DELIVERED, event)


def test_nothing_refused_is_lost_an_operator_can_retry_it():
    assert transition(OutboxState.REFUSED, OutboxEvent.RETRIED) is OutboxState.QUEUED
    assert transition(OutboxState.HELD, OutboxEvent.RETRIED) is OutboxState.QUEUED
    # Only a retry moves a refused message: no pass claims it on its own.
    assert OutboxState.REFUSED not in CLAIMABLE
    assert {e for (s, e) in TRANSITIONS if s is OutboxState.REFUSED} == {OutboxEvent.RETRIED}


def test_retrying_what_cannot_be_retried_says_why():
    with pytest.raises(InvalidTransition, match="delivered"):
        transition(OutboxState.DELIVERED, OutboxEvent.RETRIED)
    with pytest.raises(InvalidTransition, match="sending it now"):
        transition(OutboxState.SENDING, OutboxEvent.RETRIED)


def test_a_register_change_frees_held_messages_only():
    assert states_allowing(OutboxEvent.REGISTER_CHANGED) == (OutboxState.HELD,)
    assert transition(OutboxState.HELD, OutboxEvent.REGISTER_CHANGED) is OutboxState.QUEUED


def test_claims_come_from_queued_held_and_expired_sending():
    assert set(CLAIMABLE) == {OutboxState.QUEUED, OutboxState.HELD, OutboxState.SENDING}


def test_every_event_leads_to_one_state():
    # The store applies an event with one guarded update: its target must not depend on the
    # state it comes from.
    for event in OutboxEvent:
        targets = {after for (before, e), after in TRANSITIONS.items() if e is event}
        assert len(targets) == 1, event
