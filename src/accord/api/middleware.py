"""The request-size limit and the request counters, as one plain ASGI middleware.

The body is read here, whole, before the application sees the request: a body over the limit is
refused with 413 whether or not it announced its length (chunked uploads included), and nothing
behind this middleware runs for it. Plain ASGI (not Starlette's ``BaseHTTPMiddleware``): no task
group or memory stream per request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
        larger: Mapping[str, int] | None = None,
        streamed: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.counters = counters
        #: Path prefixes allowed larger bodies (the federation endpoint's transactions).
        self.larger = dict(larger or {})
        #: Paths whose bodies stream through unbuffered (file uploads): the route counts them
        #: against this limit as they arrive; an announced length over it is refused here.
        self.streamed = dict(streamed or {})

    def _limit(self, path: str) -> int:
        for prefix, limit in self.larger.items():
            if path.startswith(prefix):
                return limit
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.streamed.get(path) or self._limit(path)
        too_large = error_response(413, "too-large", f"a request body is at most {limit} bytes")
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await too_large(scope, receive, send)
            return
        if path in self.streamed:
            await self._count(scope, receive, send)
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


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
