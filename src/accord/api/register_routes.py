"""The register over HTTP: agreements and their status, importing agreements, recording lifecycle
events (operators), the channel view, and what-if decisions."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import Field

from accord.agreements import views
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity as activity_of
from accord.agreements.vocabulary import capability as capability_of
from accord.api.deps import (
    ROUTER_OPTIONS,
    AnyoneDep,
    AuditingDep,
    LabelIn,
    Model,
    NodeDep,
    OperatorDep,
    day_of,
    label_of,
)
from accord.node import views as node_views
from accord.node.register import event_from_fields

router = APIRouter(**ROUTER_OPTIONS)


class DecisionIn(Model):
    sender: str | None = Field(default=None, max_length=3)
    recipient: str = Field(max_length=3)
    label: LabelIn
    capability: str = Field(max_length=64)
    activity: str = Field(max_length=64)
    on: str | None = Field(default=None, max_length=10)
    clearance: str | None = Field(default=None, max_length=64)


@router.post("/v1/decisions")
def what_if(body: DecisionIn, node: NodeDep, current: AuditingDep) -> dict[str, Any]:
    day = day_of(node, body.on)
    recipient = nation_code(body.recipient)
    engine = node.engine
    decision = node_views.what_if(
        engine,
        sender=nation_code(body.sender) if body.sender else node.keys.nation,
        recipient=recipient,
        label=label_of(body.label, node),
        capability=capability_of(body.capability).value,
        activity=activity_of(body.activity).value,
        day=day,
        clearance=(
            node_views.clearance_of_level(engine, recipient, body.clearance, day)
            if body.clearance is not None
            else None
        ),
    )
    return decision.to_dict()


@router.get("/v1/agreements")
def agreements(node: NodeDep, current: AnyoneDep, on: str | None = None) -> list[dict[str, Any]]:
    day = day_of(node, on)
    register = node.register.register()
    rows = []
    for agreement in register.agreements:
        report = register.status(agreement.id, day)
        rows.append(
            {
                "id": agreement.id,
                "type": agreement.type,
                "parties": list(agreement.parties),
                "status": report.status.value,
                "in_force": report.in_force,
                "explanation": report.explanation,
            }
        )
    return rows


@router.get("/v1/channels")
def channels(
    node: NodeDep, current: AnyoneDep, a: str, b: str, on: str | None = None
) -> dict[str, Any]:
    day = day_of(node, on)
    return node_views.channels_view(node.engine, nation_code(a), nation_code(b), day)


@router.get("/v1/agreements/{agreement_id}")
def agreement(
    agreement_id: str, node: NodeDep, current: AnyoneDep, on: str | None = None
) -> dict[str, Any]:
    """One agreement: parties, scope, caveats, terms, events, sources, and its status."""
    register = node.register.register()
    found = register.get(agreement_id[:128])
    return views.agreement_view(register, found, register.status(found.id, day_of(node, on)))


@router.post("/v1/agreements", status_code=200)
def import_agreements(
    document: Annotated[dict[str, Any], Body()],
    node: NodeDep,
    current: OperatorDep,
    replace: bool = False,
) -> dict[str, Any]:
    """Import agreements (a document in the public record's schema), all or nothing, each change
    recorded in the transparency log; the node decides under the new register at once."""
    raw = json.dumps(document).encode()
    summary = node.register.import_document(
        raw, "json", limit=node.settings.limits.import_bytes, replace=replace, actor=current.name
    )
    if summary.changed:
        node.refresh()
    return summary.to_dict()


class EventIn(Model):
    event: str = Field(max_length=64)
    date: str = Field(max_length=32)
    term: str | None = Field(default=None, max_length=128)
    source: str | None = Field(default=None, max_length=2048)
    note: str = Field(default="", max_length=2000)


@router.post("/v1/agreements/{agreement_id}/events", status_code=201)
def record_event(
    agreement_id: str, body: EventIn, node: NodeDep, current: OperatorDep
) -> dict[str, Any]:
    """Record a lifecycle event after checking the agreement's lifecycle still holds; logged,
    and the node decides under the changed register at once."""
    event, sources = event_from_fields(
        body.event, body.date, term=body.term, source=body.source, note=body.note
    )
    report = node.register.record_event(
        agreement_id[:128], event, new_sources=sources, actor=current.name
    )
    node.refresh()
    return views.status_view(node.register.register(), report)
