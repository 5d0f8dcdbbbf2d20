"""The federation endpoint partner nodes deliver to (docs/federation.md). No bearer token: every
request is authenticated by its origin node's signature (``Accord-Request``), checked against the
peer's pinned descriptor before anything else is read."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from accord.api.deps import ROUTER_OPTIONS, NodeDep
from accord.errors import TooLarge
from accord.federation.protocol import HEADER, VerifiedRequest, check_body
from accord.node.witnessing import cosign_for

#: A transaction carries up to 64 envelopes in base64; its body is limited to this.
MAX_TRANSACTION_BYTES = 32 * 1024 * 1024
#: A witness request carries a checkpoint note and at most 128 hashes of a consistency proof.
MAX_WITNESS_BYTES = 64 * 1024

router = APIRouter(**ROUTER_OPTIONS)


async def _signed_body(request: Request, verified: VerifiedRequest, limit: int) -> bytes:
    """The body of a request whose header verified: counted against ``limit`` as it arrives
    (chunked or not), then checked against the digest the origin signed."""
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"a request body here is at most {limit} bytes")
        digest.update(chunk)
        chunks.append(chunk)
    check_body(verified, digest.hexdigest())
    return b"".join(chunks)


@router.put("/federation/v1/transactions/{txn}")
async def transaction(txn: str, request: Request, node: NodeDep) -> dict[str, Any]:
    """A batch of envelopes from a peer: one signed receipt per envelope, in order. Idempotent by
    transaction and by envelope id. The signed header is checked before the body is read."""
    gate = node.gate()
    verified = await run_in_threadpool(
        gate.check_header, request.headers.get(HEADER), method="PUT", path=request.url.path
    )
    body = await _signed_body(request, verified, MAX_TRANSACTION_BYTES)
    # Decided under the register as stored now: a change the CLI made a moment ago, which the
    # 0.5 s follower may not have seen yet, must not refuse a partner's message (a refusal is
    # final; one query when nothing changed).
    await run_in_threadpool(node.follow_register)
    service = node.transactions()
    return await run_in_threadpool(service.receive, txn[:64], request=verified, body=body)


@router.post("/federation/v1/witness")
async def witness(request: Request, node: NodeDep) -> dict[str, Any]:
    """Cosign the requesting peer's checkpoint, consistent with the last one cosigned (C2SP
    cosignature/v1); the answer is signed by this node's keys. The signed header is checked
    before the body is read."""
    gate = node.gate()
    verified = await run_in_threadpool(
        gate.check_header, request.headers.get(HEADER), method="POST", path=request.url.path
    )
    body = await _signed_body(request, verified, MAX_WITNESS_BYTES)
    answer = await run_in_threadpool(cosign_for, node.log, node.keys, verified.origin, body)
    return answer.to_dict()
