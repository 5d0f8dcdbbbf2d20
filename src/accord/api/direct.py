"""Routes served directly, past FastAPI's middleware stack, routing and dependency solving.

The release route is a national gateway's hot path: a request that FastAPI's stack (a dozen
nested ASGI layers, the route table scanned in order, dependencies solved, the answer encoded
through ``jsonable_encoder``) handles in about as much CPU as deciding and sealing the release.
``NodeApp`` answers the routes in ``direct`` itself: the same endpoint function that FastAPI
declares (so the OpenAPI document describes it), behind the same ``LimitAndCount`` middleware
(authentication before the body, the size limit, the counters), with the same error answers
(``accord.api.errors``). Every other request goes through FastAPI as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from accord.api import errors
from accord.api.middleware import LimitAndCount
from accord.errors import AccordError

Endpoint = Callable[[Request], Awaitable[Response]]


def direct_endpoint(endpoint: Endpoint, *, route: APIRoute, limits: dict[str, Any]) -> ASGIApp:
    """``endpoint`` as an ASGI app behind ``LimitAndCount(**limits)``; ``route`` names it in the
    request counters, as FastAPI's routing would."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = route
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except AccordError as error:
            response = await errors.accord_error(request, error)
        except RequestValidationError as error:
            response = await errors.validation_error(request, error)
        except Exception as error:
            response = await errors.internal_error(request, error)
        await response(scope, receive, send)

    return LimitAndCount(serve, **limits)


class NodeApp(FastAPI):
    """FastAPI, answering the (method, path) pairs in ``direct`` with their own ASGI apps."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.direct: dict[tuple[str, str], ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            direct = self.direct.get((scope["method"], scope["path"]))
            if direct is not None:
                scope["app"] = self
                await direct(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
