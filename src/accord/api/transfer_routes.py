"""Equipment transfer cases over HTTP (docs/transfers.md): every role reads, operators import.
The check answers as ``accord transfers check`` does, under the node's reading of the evidence
or the one asked for (``evidence``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from accord.agreements.dates import parse_day
from accord.agreements.evidence import Grade
from accord.agreements.nations import nation_code
from accord.agreements.register import Register
from accord.api.deps import ROUTER_OPTIONS, AnyoneDep, NodeDep, OperatorDep
from accord.errors import InvalidInput, NotFound
from accord.node.services import NodeServices
from accord.transfers.coverage import check_case, coverage
from accord.transfers.document import TransferRecord, case_to_dict

router = APIRouter(**ROUTER_OPTIONS)

EvidenceQuery = Annotated[
    Grade | None,
    Query(description="The weakest evidence grade that counts (default: the node's setting)."),
]


def _register(node: NodeServices, evidence: Grade | None) -> Register:
    return node.register.read(evidence or node.settings.evidence)


def _case(record: TransferRecord, case_id: str) -> Any:
    try:
        return record.case(case_id[:64])
    except InvalidInput:
        raise NotFound(f"no transfer case {case_id[:64]!r}") from None


@router.get("/v1/transfers")
def list_cases(
    node: NodeDep,
    current: AnyoneDep,
    buyer: Annotated[str | None, Query(max_length=3)] = None,
) -> list[dict[str, Any]]:
    """The node's transfer cases (the public ones and those imported), oldest first."""
    wanted = nation_code(buyer) if buyer else None
    cases = [c for c in node.transfers().record().cases if wanted in (None, c.buyer)]
    cases.sort(key=lambda c: (c.events[0].date, c.id))
    return [case_to_dict(c) for c in cases]


@router.get("/v1/transfers/{case_id}")
def show_case(case_id: str, node: NodeDep, current: AnyoneDep) -> dict[str, Any]:
    return case_to_dict(_case(node.transfers().record(), case_id))


@router.get("/v1/transfers/{case_id}/check")
def check_one_case(
    case_id: str, node: NodeDep, current: AnyoneDep, evidence: EvidenceQuery = None
) -> dict[str, Any]:
    """Each item category of the case at each of its dated events: covered, by which agreement,
    or why not."""
    record = node.transfers().record()
    case = _case(record, case_id)
    return check_case(_register(node, evidence), record.categories, case).to_dict()


@router.get("/v1/coverage")
def check_coverage(
    node: NodeDep,
    current: AnyoneDep,
    buyer: Annotated[str, Query(max_length=3)],
    category: Annotated[str, Query(max_length=64)],
    on: Annotated[str, Query(max_length=32)],
    seller: Annotated[str, Query(max_length=3)] = "USA",
    evidence: EvidenceQuery = None,
) -> dict[str, Any]:
    """Is an item of ``category`` covered for a transfer from ``seller`` to ``buyer`` on ``on``?"""
    try:
        day = parse_day(on)
    except InvalidInput as e:
        raise e.at(field_prefix="on") from None
    record = node.transfers().record()
    found = coverage(
        _register(node, evidence),
        record.categories,
        buyer=nation_code(buyer),
        seller=nation_code(seller),
        category=category,
        day=day,
    )
    return found.to_dict()


@router.post("/v1/transfers", status_code=200)
def import_cases(
    document: Annotated[dict[str, Any], Body()],
    node: NodeDep,
    current: OperatorDep,
    replace: bool = False,
) -> dict[str, Any]:
    """Import transfer cases (a document of schema accord.transfers/1), all or nothing."""
    raw = json.dumps(document).encode()
    summary = node.transfers().import_document(
        raw, "json", limit=node.settings.limits.import_bytes, replace=replace
    )
    return summary.to_dict()
