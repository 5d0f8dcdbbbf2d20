"""The node's HTTP API (FastAPI): thin routes over the node's services.

Every route but ``/healthz``, ``/metrics`` and the OpenAPI document needs a bearer token; each role
reaches only its routes. Every error is JSON, ``{"error": <stable code>, "message": ...}``, with
the status its error class carries; request bodies are limited in size before they are parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord import __version__
from accord.agreements.dates import parse_day
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity as activity_of
from accord.agreements.vocabulary import capability as capability_of
from accord.api.middleware import LimitAndCount, RequestCounters, error_response
from accord.clock import Clock, SystemClock
from accord.config import Settings, load_settings
from accord.errors import (
    AccordError,
    Forbidden,
    InvalidInput,
    NotFound,
    ReleaseDenied,
    Unauthenticated,
)
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.json_form import label_from_dict
from accord.labels.label import Label
from accord.labels.national import national_policy
from accord.labels.reading import checked
from accord.labels.security_policy import SecurityPolicy
from accord.node.services import NodeServices
from accord.node.users import Role, User
from accord.node.watcher import LifecycleWatcher
from accord.policy.clearances import national_clearance
from accord.policy.model import ReleaseRequest
from accord.tlog.merkle import leaf_hash

MAX_REQUEST_BYTES = 1024 * 1024


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelIn(_Model):
    """A US banner, or the lossless JSON form of a label."""

    banner: str | None = Field(default=None, max_length=1024)
    json_form: dict[str, Any] | None = Field(default=None, alias="json")


class ReleaseIn(_Model):
    recipient: str = Field(max_length=3)
    label: LabelIn
    capability: str = Field(max_length=64)
    activity: str = Field(max_length=64)
    text: str = Field(max_length=MAX_REQUEST_BYTES)


class DecisionIn(_Model):
    sender: str | None = Field(default=None, max_length=3)
    recipient: str = Field(max_length=3)
    label: LabelIn
    capability: str = Field(max_length=64)
    activity: str = Field(max_length=64)
    on: str | None = Field(default=None, max_length=10)
    clearance: str | None = Field(default=None, max_length=64)


def own_policy(services: NodeServices) -> SecurityPolicy:
    """The node's national policy: a banner given to this node is read under it."""
    policy = services.engine.policy_of_nation(services.keys.nation)
    return policy if policy is not None else national_policy(services.keys.nation)


def _label(value: LabelIn, services: NodeServices) -> Label:
    if (value.banner is None) == (value.json_form is None):
        raise InvalidInput("give the label as exactly one of 'banner' and 'json'")
    if value.banner is not None:
        return banner_to_label(parse_banner(value.banner), own_policy(services))
    return checked(label_from_dict(value.json_form), services.engine.policies)


bearer = HTTPBearer(auto_error=False)
router = APIRouter()


async def services(request: Request) -> NodeServices:
    node: NodeServices = request.app.state.services
    return node


async def metrics_of(request: Request) -> RequestCounters:
    found: RequestCounters = request.app.state.metrics
    return found


def user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    try:
        node: NodeServices = request.app.state.services
        return node.users.authenticate(credentials.credentials)
    except InvalidInput:
        raise Unauthenticated("the token is not valid") from None


def role(*allowed: Role) -> Callable[[User], Awaitable[User]]:
    async def check(current: Annotated[User, Depends(user)]) -> User:
        if current.role not in allowed:
            raise Forbidden(f"this needs the role {' or '.join(r.value for r in allowed)}")
        return current

    return check


NodeDep = Annotated[NodeServices, Depends(services)]
MetricsDep = Annotated[RequestCounters, Depends(metrics_of)]
OfficerDep = Annotated[User, Depends(role(Role.OFFICER))]
AnyoneDep = Annotated[User, Depends(role(Role.OFFICER, Role.OPERATOR, Role.AUDITOR))]
AuditingDep = Annotated[User, Depends(role(Role.OFFICER, Role.AUDITOR))]


def _day(node: NodeServices, on: str | None) -> dt.date:
    return parse_day(on) if on else node.clock.today()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
async def prometheus(metrics: MetricsDep) -> str:
    return metrics.render()


@router.post("/v1/messages", status_code=201)
def release(
    body: ReleaseIn, node: NodeDep, current: OfficerDep, metrics: MetricsDep
) -> dict[str, Any]:
    result = node.messaging().release_as(
        current,
        recipient=nation_code(body.recipient),
        label=_label(body.label, node),
        capability=capability_of(body.capability).value,
        activity=activity_of(body.activity).value,
        body=body.text.encode(),
    )
    metrics.releases["permit" if result.decision.permit else "deny"] += 1
    if not result.decision.permit:
        raise ReleaseDenied(result.to_dict())
    return result.to_dict()


@router.get("/v1/outbox")
def outbox(node: NodeDep, current: AuditingDep) -> list[dict[str, Any]]:
    return node.messaging().outbox()


@router.post("/v1/decisions")
def what_if(body: DecisionIn, node: NodeDep, current: AuditingDep) -> dict[str, Any]:
    day = _day(node, body.on)
    recipient = nation_code(body.recipient)
    clearance = None
    if body.clearance is not None:
        policy = node.engine.policy_of_nation(recipient)
        if policy is None:
            raise InvalidInput(f"no security policy is known for {recipient}")
        clearance = national_clearance(policy, body.clearance, recipient, day)
    decision = node.engine.decide(
        ReleaseRequest(
            sender=nation_code(body.sender) if body.sender else node.keys.nation,
            recipient=recipient,
            label=_label(body.label, node),
            capability=capability_of(body.capability).value,
            activity=activity_of(body.activity).value,
            day=day,
            clearance=clearance,
        )
    )
    return decision.to_dict()


@router.get("/v1/agreements")
def agreements(node: NodeDep, current: AnyoneDep, on: str | None = None) -> list[dict[str, Any]]:
    day = _day(node, on)
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
    day = _day(node, on)
    first, second = nation_code(a), nation_code(b)
    return {
        "nations": sorted([first, second]),
        "day": day.isoformat(),
        "channels": [
            {
                "capability": o.capability,
                "agreements": list(o.agreements),
                "until": str(o.until) if o.until else None,
            }
            for o in node.engine.channels(first, second, day)
        ],
    }


@router.get("/v1/inbox")
def list_inbox(node: NodeDep, current: OfficerDep) -> list[dict[str, Any]]:
    return node.inbox().list_for(current)


@router.get("/v1/messages/{message_id}/content")
def message_content(message_id: str, node: NodeDep, current: OfficerDep) -> Response:
    content = node.inbox().read(current, message_id)
    return Response(content=content, media_type="application/octet-stream")


@router.get("/v1/alerts")
def list_alerts(node: NodeDep, current: AnyoneDep) -> list[dict[str, object]]:
    return [a.to_dict() for a in LifecycleWatcher(node.database, node.clock).alerts()]


@router.get("/v1/log/checkpoint", response_class=PlainTextResponse)
def checkpoint(node: NodeDep, current: AuditingDep) -> str:
    return node.log.checkpoint().note


@router.get("/v1/log/entries/{index}")
def entry(index: int, node: NodeDep, current: AuditingDep) -> dict[str, Any]:
    if index < 0:
        raise NotFound("log indexes start at 0")
    _, data = node.log.entry(index)
    return {"index": index, "entry": json.loads(data), "leaf_hash": leaf_hash(data).hex()}


@router.get("/v1/log/proofs/inclusion")
def inclusion(
    node: NodeDep, current: AuditingDep, index: int, size: int | None = None
) -> dict[str, Any]:
    if index < 0 or (size is not None and size < 0):
        raise NotFound("no such entry")
    return node.log.prove(index, size).to_dict()


@router.get("/v1/log/proofs/consistency")
def consistency(
    node: NodeDep, current: AuditingDep, old: int, new: int | None = None
) -> dict[str, Any]:
    if old < 0 or (new is not None and new < 0):
        raise NotFound("no such tree size")
    return node.log.consistency(old, new).to_dict()


def app_from_environment() -> FastAPI:
    """The app for a worker process of ``accord serve --workers N`` (settings from the
    environment, the system clock)."""
    return create_app(load_settings(), SystemClock())


def create_app(settings: Settings, clock: Clock) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = NodeServices.open(settings, clock)
        app.state.metrics = counters
        watcher = asyncio.create_task(_watch(app.state.services, settings.watch_interval_seconds))
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            app.state.services.close()

    counters = RequestCounters()
    app = FastAPI(title="Accord node", version=__version__, lifespan=lifespan)
    app.include_router(router)
    app.add_middleware(LimitAndCount, max_body=MAX_REQUEST_BYTES, counters=counters)

    @app.exception_handler(AccordError)
    async def accorderror_response(request: Request, error: AccordError) -> JSONResponse:
        if isinstance(error, ReleaseDenied):
            content = {"error": error.code, "message": error.message, **error.body}
            return JSONResponse(status_code=403, content=content)
        return error_response(error.http_status, error.code, error.message)

    @app.exception_handler(StarletteHTTPException)
    async def httperror_response(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http-error")
        return error_response(error.status_code, code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(
            422, "invalid-input", f"{where}: {first.get('msg', 'invalid request')}"
        )

    return app


async def _watch(node: NodeServices, interval: float) -> None:
    """The lifecycle watcher, every ``interval`` seconds, off the event loop's thread."""
    log = logging.getLogger("accord.watcher")
    while True:
        try:
            raised = await asyncio.to_thread(LifecycleWatcher(node.database, node.clock).run_once)
            if raised:
                node.refresh()
                log.info("lifecycle watcher raised %d alert(s)", len(raised))
        except AccordError as error:
            log.warning("lifecycle watcher: %s", error)
        await asyncio.sleep(interval)


_HTTP_CODES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
}
