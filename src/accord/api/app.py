"""The node's HTTP API (FastAPI): thin routes over the node's services.

Every route but ``/healthz`` and the OpenAPI document needs a bearer token (the federation routes
a signed request instead); each role reaches only its routes, and sees only what it may
(docs/node.md, "Who sees what"). Every error is JSON, ``{"error": <stable code>, "message":
...}``, with the status its error class carries; request bodies are limited in size before they
are parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BeforeValidator, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Scope

from accord import __version__
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity as activity_of
from accord.agreements.vocabulary import capability as capability_of
from accord.api import errors, federation_routes, logs, register_routes, transfer_routes
from accord.api.deps import (
    JSON_OBJECT,
    MAX_REQUEST_BYTES,
    ROUTER_OPTIONS,
    AnyoneDep,
    AuditingDep,
    AuditorDep,
    LabelIn,
    MetricsDep,
    Model,
    MonitoringDep,
    NodeDep,
    OfficerDep,
    OperatorDep,
    bearer_user,
    caller_with_role,
    json_body,
    json_response,
    label_of,
    model_from_json,
)
from accord.api.direct import NodeApp, direct_endpoint
from accord.api.docs_pages import add_reference_pages
from accord.api.middleware import LimitAndCount, RequestCounters, error_response, header_of
from accord.api.server import GuardedProtocol
from accord.clock import Clock, SystemClock
from accord.config import Settings, load_settings
from accord.errors import AccordError, ReleaseDenied, TooLarge
from accord.node.clocks import clock_for
from accord.node.console_sessions import ConsoleSession
from accord.node.messaging import MAX_BODY, ReleaseResult
from accord.node.runtime import start_workers
from accord.node.services import NodeServices
from accord.node.users import Role, User
from accord.node.witnessing import cosigned_checkpoints
from accord.tlog.merkle import leaf_hash
from accord.web import is_console
from accord.web import pages as console_pages
from accord.web.auth import SIGN_IN_FORM_BYTES, SignInNeeded, console_session
from accord.web.message_pages import RELEASE_FORM_BYTES


class ReleaseIn(Model):
    recipient: str = Field(max_length=3)
    label: LabelIn
    capability: str = Field(max_length=64)
    activity: str = Field(max_length=64)
    text: str = Field(max_length=MAX_REQUEST_BYTES)


router = APIRouter(**ROUTER_OPTIONS)


#: Log indices and tree sizes: non-negative and within what the store's integers hold (2^62).
MAX_LOG_INDEX = 1 << 62


def _decimal_digits(value: object) -> object:
    """An integer in a URL is written in decimal digits only ("0.0" and "1e3" are refused, which
    the lax integer parser would otherwise take)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("an integer is written in decimal digits")
    return value


LogIndex = Annotated[int, BeforeValidator(_decimal_digits), Query(ge=0, le=MAX_LOG_INDEX)]
LogIndexPath = Annotated[int, BeforeValidator(_decimal_digits), PathParam(ge=0, le=MAX_LOG_INDEX)]


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
async def prometheus(metrics: MetricsDep, current: MonitoringDep) -> str:
    """Request and release counters (Prometheus text). Operators and auditors only: the counters
    move when traffic arrives that an officer may not know of (docs/node.md, "Who sees what")."""
    return metrics.render()


#: Bodies up to this size are decided and sealed on the event loop (well under a millisecond);
#: larger ones in a worker thread, so that they do not hold up other requests.
SEAL_INLINE_BYTES = 64 * 1024


@router.post(
    "/v1/messages",
    status_code=201,
    openapi_extra=json_body(ReleaseIn),
    responses={201: {"description": "Released", "content": {"application/json": JSON_OBJECT}}},
)
async def release(request: Request) -> Response:
    """Release a text message to a partner nation: decided, sealed, queued and logged.

    The hot path of a national gateway, so it takes the request itself rather than FastAPI's
    per-parameter dependencies and validation: the middleware has authenticated the caller (before
    reading the body) and read the body within its limit; here the body is validated by the one
    model the OpenAPI document publishes (``ReleaseIn``), and the answer is encoded once."""
    current = await caller_with_role(request, Role.OFFICER)
    body = model_from_json(ReleaseIn, await request.body())
    node: NodeServices = request.app.state.services
    text = body.text.encode()
    label = label_of(body.label, node)
    messaging = node.messaging()

    def submit() -> Future[ReleaseResult]:
        return messaging.release_submit(
            current,
            recipient=nation_code(body.recipient),
            label=label,
            capability=capability_of(body.capability).value,
            activity=activity_of(body.activity).value,
            body=text,
        )

    # Only the commit is waited for off the loop: the group commit's writer thread settles it.
    committing = submit() if len(text) <= SEAL_INLINE_BYTES else await run_in_threadpool(submit)
    result = await asyncio.wrap_future(committing)
    request.app.state.metrics.releases["permit" if result.decision.permit else "deny"] += 1
    if not result.decision.permit:
        raise ReleaseDenied(result.to_dict())
    return json_response(201, result.to_dict())


@router.post("/v1/files", status_code=201)
async def release_file(
    request: Request,
    node: NodeDep,
    current: OfficerDep,
    metrics: MetricsDep,
    recipient: Annotated[str, Query(max_length=3)],
    label: Annotated[str, Query(max_length=1024, description="A banner, e.g. UNCLASSIFIED")],
    capability: Annotated[str, Query(max_length=64)],
    activity: Annotated[str, Query(max_length=64)],
) -> dict[str, Any]:
    """Release a file: the request body is the file's bytes (any media type), streamed to a
    temporary file (on disk beyond 1 MiB) and counted against the 16 MiB limit as it arrives;
    then decided, sealed from the file, queued and logged as ``POST /v1/messages``."""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise TooLarge(f"a message body is at most {MAX_BODY} bytes")
            spool.write(chunk)
        spool.seek(0)
        messaging = node.messaging()
        result = await run_in_threadpool(
            lambda: messaging.release_as(
                current,
                recipient=nation_code(recipient),
                label=label_of(LabelIn(banner=label), node),
                capability=capability_of(capability).value,
                activity=activity_of(activity).value,
                body=spool,  # type: ignore[arg-type]
            )
        )
    metrics.releases["permit" if result.decision.permit else "deny"] += 1
    if not result.decision.permit:
        raise ReleaseDenied(result.to_dict())
    return result.to_dict()


@router.get("/v1/outbox")
def outbox(node: NodeDep, current: AuditingDep) -> list[dict[str, Any]]:
    """The messages this node sent: an officer sees those whose label their clearance passes."""
    return node.messaging().outbox(current)


@router.get("/v1/outbox/{message_id}")
def outbox_message(message_id: str, node: NodeDep, current: AuditingDep) -> dict[str, Any]:
    """A sent message's state (queued, sending, held, delivered with the receiver's signed
    receipt, or refused by the partner) with the reason."""
    return node.messaging().status(message_id[:64], current)


@router.post("/v1/outbox/{message_id}/retry")
def retry_message(message_id: str, node: NodeDep, current: OperatorDep) -> dict[str, str]:
    """Send a message again at once (operators): one the partner refused, one held, or one
    waiting to retry; 409 for a delivered message or one being sent. The answer is the id and
    the new state only: operators do not read the outbox (docs/node.md, "Who sees what")."""
    view = node.messaging().retry(message_id[:64])
    return {"id": str(view["id"]), "status": str(view["status"])}


@router.get("/v1/inbox")
def list_inbox(node: NodeDep, current: OfficerDep) -> list[dict[str, Any]]:
    return node.inbox().list_for(current)


@router.get("/v1/messages/{message_id}")
def message(message_id: str, node: NodeDep, current: OfficerDep) -> dict[str, Any]:
    """A received message's description, if the caller may read it (otherwise 404: a reader
    never learns that a message above their clearance exists)."""
    return node.inbox().describe_for(current, message_id[:128])


@router.get("/v1/messages/{message_id}/content")
def message_content(message_id: str, node: NodeDep, current: OfficerDep) -> Response:
    content = node.inbox().read(current, message_id)
    return Response(content=content, media_type="application/octet-stream")


@router.get("/v1/alerts")
def list_alerts(node: NodeDep, current: AnyoneDep) -> list[dict[str, object]]:
    return [a.to_dict() for a in node.watcher().alerts()]


@router.get("/v1/log/checkpoint", response_class=PlainTextResponse)
def checkpoint(node: NodeDep, current: AnyoneDep) -> str:
    return node.log.checkpoint().note


@router.get("/v1/log/cosigned")
def cosigned(node: NodeDep, current: AnyoneDep) -> list[dict[str, Any]]:
    """Each witnessing peer's latest cosigned checkpoint of this node's log."""
    return cosigned_checkpoints(node.database, node.log)


@router.get("/v1/log/entries/{index}")
def entry(index: LogIndexPath, node: NodeDep, current: AuditorDep) -> dict[str, Any]:
    """One log entry, whole. Auditors only: entries name messages, labels, users and partners
    that an officer may not know of; checkpoints and proofs (sizes and hashes) stay open to
    every role."""
    _, data = node.log.entry(index)
    return {"index": index, "entry": json.loads(data), "leaf_hash": leaf_hash(data).hex()}


@router.get("/v1/log/proofs/inclusion")
def inclusion(
    node: NodeDep, current: AnyoneDep, index: LogIndex, size: LogIndex | None = None
) -> dict[str, Any]:
    return node.log.prove(index, size).to_dict()


@router.get("/v1/log/proofs/consistency")
def consistency(
    node: NodeDep, current: AnyoneDep, old: LogIndex, new: LogIndex | None = None
) -> dict[str, Any]:
    return node.log.consistency(old, new).to_dict()


#: The API's threads (the event loop, the group commit's writer, the delivery worker) take turns
#: holding the interpreter lock. The writer, holding the log head, needs it back at once after
#: each database call, or every waiting request queues behind CPU-bound work for a whole switch
#: interval (5 ms by default).
SWITCH_INTERVAL_SECONDS = 0.0005


def app_from_environment() -> FastAPI:
    """The app for a worker process of ``accord serve --workers N`` (settings from the
    environment, the system clock)."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)  # a spawned worker does not inherit it
    settings = load_settings()
    logs.configure(settings.log_format)
    GuardedProtocol.configure(settings)  # this worker's copy of the class: its limits
    return create_app(settings, clock_for(settings, SystemClock()))


def create_app(settings: Settings, clock: Clock, *, background: bool = True) -> FastAPI:
    """The node's app. ``background``: run the periodic workers (the lifecycle watcher,
    delivery, witnessing); off for a harness that runs their passes itself, at its own time."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = NodeServices.open(settings, clock)
        app.state.metrics = counters
        tasks = start_workers(app.state.services, settings) if background else []
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            app.state.services.close()

    counters = RequestCounters()
    app = NodeApp(
        title="Accord node",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    add_reference_pages(app)
    app.include_router(router)
    app.include_router(register_routes.router)
    app.include_router(transfer_routes.router)
    app.include_router(federation_routes.router)

    app.include_router(console_pages.router)

    async def authenticate(scope: Scope) -> User | ConsoleSession:
        """The API's bearer token; on the console's paths, its session cookie."""
        if is_console(scope):
            return await console_session(app.state.services, scope)
        return await bearer_user(app.state.services, header_of(scope, b"authorization"))

    def refusal(scope: Scope, error: AccordError) -> ASGIApp:
        """A console form posted without a live session goes back to the sign-in page."""
        if is_console(scope) and isinstance(error, SignInNeeded):
            return RedirectResponse("/login", status_code=303)
        return error_response(error.http_status, error.code, error.message)

    limits: dict[str, Any] = {
        "max_body": MAX_REQUEST_BYTES,
        "counters": counters,
        "authenticate": authenticate,
        "unauthenticated": {"/login": SIGN_IN_FORM_BYTES},
        "refusal": refusal,
        "streamed": {
            "/v1/files": MAX_BODY,
            # The console's release form with a file: its session and origin are checked
            # before the body is read, its file spooled to disk as it arrives.
            "/release": RELEASE_FORM_BYTES,
            "/federation/v1/transactions/": federation_routes.MAX_TRANSACTION_BYTES,
            "/federation/v1/witness": federation_routes.MAX_WITNESS_BYTES,
        },
    }
    app.add_middleware(LimitAndCount, **limits)

    app.add_exception_handler(AccordError, errors.accord_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, errors.internal_error)
    app.add_exception_handler(RequestValidationError, errors.validation_error)  # type: ignore[arg-type]
    # The release route, served past FastAPI's stack (``NodeApp``) behind the same middleware.
    app.direct[("POST", "/v1/messages")] = direct_endpoint(
        release, route=_route("POST", "/v1/messages"), limits=limits
    )
    return app


async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(error.status_code, "http-error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Allow lists every method of the resource (RFC 9110 section 15.5.6), across all the
        # routes that share its path (the framework names only the first route's).
        headers["Allow"] = ", ".join(_methods_at(request))
    return error_response(error.status_code, code, str(error.detail), headers)


def _route(method: str, path: str) -> APIRoute:
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path == path and method in (route.methods or ()):
            return route
    raise LookupError(f"no route {method} {path}")


def _methods_at(request: Request) -> list[str]:
    path = request.url.path
    methods: set[str] = set()
    routers = (router, register_routes.router, transfer_routes.router, federation_routes.router)
    for route in [r for each in routers for r in each.routes]:
        if isinstance(route, APIRoute) and route.path_regex.match(path):
            methods |= route.methods or set()
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


_HTTP_CODES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
}
