"""Authentication before the body, the request-size limit and the request counters, as one
plain ASGI middleware.

A request that carries a body is authenticated here (``authenticate``, the bearer token) before a
byte of the body is read: nobody without a valid token can make the node hold memory for them.
Then the body is read, whole, before the application sees the request: a body over the limit is
refused with 413 whether or not it announced its length (chunked uploads included), and nothing
behind this middleware runs for it. Paths that stream (file uploads, the federation routes,
which authenticate by their own signed header first) pass through unbuffered: the route counts
the body against its limit as it arrives; an announced length over it is refused here. Plain
ASGI (not Starlette's ``BaseHTTPMiddleware``): no task group or memory stream per request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.errors import AccordError

#: Where the middleware leaves the user it authenticated, for the route's dependency.
USER_KEY = "accord.user"


class RequestCounters:
    """What ``/metrics`` reports, in the Prometheus text format."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, int]] = Counter()
        self.releases: Counter[str] = Counter()

    def render(self) -> str:
        lines = [
            "# HELP accord_http_requests_total HTTP requests by route and status.",
            "# TYPE accord_http_requests_total counter",
        ]
        for (route, status), count in sorted(self.requests.items()):
            lines.append(f'accord_http_requests_total{{route="{route}",status="{status}"}} {count}')
        lines += [
            "# HELP accord_releases_total Release decisions by outcome.",
            "# TYPE accord_releases_total counter",
        ]
        for outcome, count in sorted(self.releases.items()):
            lines.append(f'accord_releases_total{{outcome="{outcome}"}} {count}')
        return "\n".join(lines) + "\n"


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": code, "message": message}, headers=headers
    )


class LimitAndCount:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        counters: RequestCounters,
        authenticate: Callable[[Scope], Awaitable[object]],
        streamed: Mapping[str, int] | None = None,
        unauthenticated: Mapping[str, int] | None = None,
        refusal: Callable[[Scope, AccordError], ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.counters = counters
        #: The caller of a request with a body (raises ``AccordError`` when there is none).
        self.authenticate = authenticate
        #: Paths whose bodies stream through unbuffered, with their limits (a path ending in
        #: "/" stands for those under it). Their routes authenticate before reading the body.
        self.streamed = dict(streamed or {})
        #: Exact paths whose (small) bodies are read before anyone is authenticated, with their
        #: limits: the console's sign-in form, which carries the credentials themselves.
        self.unauthenticated = dict(unauthenticated or {})
        #: The answer to a request refused before its body (JSON unless told otherwise: the
        #: console sends a browser back to its sign-in page).
        self.refusal = refusal or (
            lambda _scope, error: error_response(error.http_status, error.code, error.message)
        )

    def _streamed(self, path: str) -> int | None:
        for route, limit in self.streamed.items():
            # A route ending in "/" covers the paths under it; any other, itself alone.
            if path == route or (route.endswith("/") and path.startswith(route)):
                return limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        streamed = self._streamed(path)
        open_limit = self.unauthenticated.get(path)
        limit = self.max_body if streamed is None else streamed
        if open_limit is not None:
            limit = open_limit
        declared = header_of(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            too_large = error_response(413, "too-large", f"a request body is at most {limit} bytes")
            await too_large(scope, receive, send)
            return
        if streamed is not None:
            await self._count(scope, receive, send)
            return
        has_body = (declared is not None and declared != "0") or header_of(
            scope, b"transfer-encoding"
        )
        if has_body and open_limit is None:
            try:
                scope[USER_KEY] = await self.authenticate(scope)
            except AccordError as error:
                await self.refusal(scope, error)(scope, receive, send)
                self.counters.requests[("before-body", error.http_status)] += 1
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                too_large = error_response(
                    413, "too-large", f"a request body is at most {limit} bytes"
                )
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self._count(scope, replay, send)

    async def _count(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        async def counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            route: Any = scope.get("route")
            self.counters.requests[(getattr(route, "path", "unmatched"), status)] += 1


def header_of(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
