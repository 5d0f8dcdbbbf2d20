"""What the API's routes share: the caller's identity and role, the node's services, request
models, the label a request names, and the documented error responses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from accord.agreements.dates import parse_day
from accord.api.middleware import USER_KEY, RequestCounters
from accord.errors import Forbidden, InvalidInput, Unauthenticated
from accord.labels.label import Label
from accord.labels.national import national_policy
from accord.labels.security_policy import SecurityPolicy
from accord.node.labels import label_from_banner, label_from_json
from accord.node.services import NodeServices
from accord.node.users import Role, User

MAX_REQUEST_BYTES = 1024 * 1024


#: The error body's schema, given inline so that it is documented as JSON even on routes whose
#: success is another media type (the checkpoint note is text/plain). A 403 ``release-denied``
#: adds the decision's fields.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}

#: Documented on every route, so that the OpenAPI document describes every answer the node gives.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": what, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status, what in (
        (400, "Bad request"),
        (401, "No valid bearer token"),
        (403, "The caller's role may not do this"),
        (404, "Not found"),
        (409, "Conflicts with the current state"),
        (413, "The request body is too large"),
        (422, "Invalid input (the message says which field and why)"),
    )
}


_KNOWN_QUERY: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {p.alias for p in dependant.query_params}
    for inner in dependant.dependencies:
        names |= _query_names(inner)
    return frozenset(names)


async def known_query_only(request: Request) -> None:
    """Refuse query parameters the route does not declare, as unknown body fields are refused
    (a misspelt ``?on=`` must not silently mean "today"), and any given twice."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _KNOWN_QUERY.get(id(route))
    if allowed is None:
        allowed = _query_names(route.dependant)
        _KNOWN_QUERY[id(route)] = allowed
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise InvalidInput(f"unknown query parameter {unknown[0][:64]!r}")
    # No route takes a list in its query: a parameter given twice is ambiguous (frameworks
    # disagree on which one counts), so it is refused rather than one of them silently chosen.
    names = [name for name, _ in request.query_params.multi_items()]
    if len(names) != len(set(names)):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise InvalidInput(f"query parameter {twice[0][:64]!r} is given more than once")


#: What every router of the API applies.
ROUTER_OPTIONS: dict[str, Any] = {
    "responses": ERROR_RESPONSES,
    "dependencies": [Depends(known_query_only)],
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelIn(Model):
    """A US-style banner (read under the node's own national policy), or the lossless JSON form
    of a label."""

    banner: str | None = Field(default=None, max_length=1024)
    json_form: dict[str, Any] | None = Field(default=None, alias="json")


def own_policy(services: NodeServices) -> SecurityPolicy:
    """The node's national policy: a banner given to this node is read under it."""
    policy = services.engine.policy_of_nation(services.keys.nation)
    return policy if policy is not None else national_policy(services.keys.nation)


def label_of(value: LabelIn, services: NodeServices) -> Label:
    if (value.banner is None) == (value.json_form is None):
        raise InvalidInput("give the label as exactly one of 'banner' and 'json'")
    if value.banner is not None:
        return label_from_banner(services.engine, value.banner, nation=services.keys.nation)
    return label_from_json(services.engine, value.json_form)


def day_of(node: NodeServices, on: str | None) -> dt.date:
    return parse_day(on) if on else node.clock.today()


bearer = HTTPBearer(auto_error=False)


async def services(request: Request) -> NodeServices:
    node: NodeServices = request.app.state.services
    return node


async def metrics_of(request: Request) -> RequestCounters:
    found: RequestCounters = request.app.state.metrics
    return found


async def bearer_user(node: NodeServices, authorization: str | None) -> User:
    """The user a bearer token (the ``Authorization`` header's value) belongs to. A token found
    valid moments ago is believed without a database round trip (``UserService.believed``);
    otherwise the database is asked, off the event loop."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required")
    token = token.strip()
    believed = node.users.believed(token)
    if believed is not None:
        return believed
    try:
        return await run_in_threadpool(node.users.authenticate, token)
    except InvalidInput:
        raise Unauthenticated("the token is not valid") from None


async def user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The caller: authenticated by the middleware already when the request has a body (before
    reading it), else here."""
    found = request.scope.get(USER_KEY)
    if isinstance(found, User):
        return found
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    node: NodeServices = request.app.state.services
    return await bearer_user(node, f"Bearer {credentials.credentials}")


def _require(current: User, allowed: tuple[Role, ...]) -> User:
    if current.role not in allowed:
        raise Forbidden(f"this needs the role {' or '.join(r.value for r in allowed)}")
    return current


def role(*allowed: Role) -> Callable[[User], Awaitable[User]]:
    async def check(current: Annotated[User, Depends(user)]) -> User:
        return _require(current, allowed)

    return check


async def caller_with_role(request: Request, *allowed: Role) -> User:
    """What ``role(*allowed)`` gives a route, for a route that takes only the request."""
    found = request.scope.get(USER_KEY)
    if not isinstance(found, User):
        node: NodeServices = request.app.state.services
        found = await bearer_user(node, request.headers.get("authorization"))
    return _require(found, allowed)


#: The OpenAPI schema of a JSON object answer.
JSON_OBJECT: dict[str, Any] = {"schema": {"type": "object", "additionalProperties": True}}


def _inline(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        reference = schema.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            return _inline(definitions[reference.removeprefix("#/$defs/")], definitions)
        return {k: _inline(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, definitions) for item in schema]
    return schema


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads ``model`` from the request itself
    (``openapi_extra``), with nested models inlined (their ``$defs`` references would point
    nowhere in the document)."""
    schema = model.model_json_schema(by_alias=True)
    inlined = _inline(schema, schema.get("$defs", {}))
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inlined}}}}


M = TypeVar("M", bound=BaseModel)


def model_from_json(model: type[M], data: bytes) -> M:
    """``data`` validated as ``model``; a 422 as FastAPI gives for a body parameter."""
    try:
        return model.model_validate_json(data)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False)) from None


def json_response(status: int, content: Any) -> Response:
    """A JSON answer encoded once, by the C encoder (FastAPI's return-value path walks the value
    through ``jsonable_encoder`` and a serializer first)."""
    data = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(data, status_code=status, media_type="application/json")


NodeDep = Annotated[NodeServices, Depends(services)]
MetricsDep = Annotated[RequestCounters, Depends(metrics_of)]
OfficerDep = Annotated[User, Depends(role(Role.OFFICER))]
AnyoneDep = Annotated[User, Depends(role(*Role))]
AuditingDep = Annotated[User, Depends(role(Role.OFFICER, Role.AUDITOR))]
AuditorDep = Annotated[User, Depends(role(Role.AUDITOR))]
#: Who may read ``/metrics``: its counters move with traffic an officer may not know of.
MonitoringDep = Annotated[User, Depends(role(Role.OPERATOR, Role.AUDITOR))]
OperatorDep = Annotated[User, Depends(role(Role.OPERATOR))]
