"""The federation endpoint partner nodes deliver to (docs/federation.md). No bearer token: every
request is authenticated by its origin node's signature (``Accord-Request``), checked against the
peer's pinned descriptor before anything else is read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from accord.api.deps import ROUTER_OPTIONS, NodeDep
from accord.federation.protocol import HEADER
from accord.node.witnessing import cosign_for

#: A transaction carries up to 64 envelopes in base64; its body is limited to this.
MAX_TRANSACTION_BYTES = 32 * 1024 * 1024

router = APIRouter(**ROUTER_OPTIONS)


@router.put("/federation/v1/transactions/{txn}")
async def transaction(txn: str, request: Request, node: NodeDep) -> dict[str, Any]:
    """A batch of envelopes from a peer: one signed receipt per envelope, in order. Idempotent by
    transaction and by envelope id."""
    body = await request.body()
    header = request.headers.get(HEADER)
    service = node.transactions()
    return await run_in_threadpool(
        service.receive,
        txn[:64],
        header=header,
        method="PUT",
        path=request.url.path,
        body=body,
    )


@router.post("/federation/v1/witness")
async def witness(request: Request, node: NodeDep) -> dict[str, Any]:
    """Cosign the requesting peer's checkpoint, consistent with the last one cosigned (C2SP
    cosignature/v1); the answer is signed by this node's keys."""
    body = await request.body()
    header = request.headers.get(HEADER)

    def work() -> dict[str, Any]:
        verified = node.gate().check(header, method="POST", path=request.url.path, body=body)
        return cosign_for(node.log, node.keys, verified.origin, body)

    return await run_in_threadpool(work)
