"""The API's error answers: every error is JSON, ``{"error": <stable code>, "message": ...}``, with
the status its error class carries. Shared by FastAPI's exception handlers and the routes served
directly (``accord.api.direct``), so both answer alike."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from accord.api.middleware import error_response
from accord.errors import AccordError, ReleaseDenied

log = logging.getLogger("accord.api")


async def accord_error(request: Request, error: AccordError) -> JSONResponse:
    if error.http_status in (401, 403, 409, 413):
        # A refused request: who asked and why (our message, never the request's content).
        client = request.client.host if request.client else "unknown"
        log.info(
            "refused %s %s from %s: %d %s",
            request.method,
            request.url.path[:200],
            client,
            error.http_status,
            error.code,
            extra={
                "fields": {
                    "peer": client,
                    "status": error.http_status,
                    "error": error.code,
                    "reason": error.message[:500],
                }
            },
        )
    if isinstance(error, ReleaseDenied):
        content = {"error": error.code, "message": error.message, **error.body}
        return JSONResponse(status_code=403, content=content)
    return error_response(error.http_status, error.code, error.message)


async def internal_error(request: Request, error: Exception) -> JSONResponse:
    # A bug, not the caller's fault: the trace goes to the node's log, the caller gets JSON that
    # says nothing of the internals.
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal", "internal error")


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return error_response(422, "invalid-input", f"{where}: {first.get('msg', 'invalid request')}")
