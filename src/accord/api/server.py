"""How ``accord serve`` runs the API under uvicorn, guarded against slow and greedy clients.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) and answers 503 past
``limit_concurrency``, but it gives a request as long as it likes to send its headers and its
body, and any one address may open as many connections as it likes. ``GuardedProtocol`` adds:

- a **header timeout**: a request's headers complete within ``header_timeout_seconds`` of its
  first byte (of the connection's opening, for the first request);
- a **body timeout**: its body completes within ``body_timeout_seconds`` of its headers;
- a **per-client limit**: at most ``max_connections_per_client`` open connections per client
  address (per process);
- a **header size limit**: the request line and headers together hold at most
  ``MAX_HEADER_BYTES``.

A connection that breaks one of these is dropped (closed, no answer): a slowloris client holds
nothing for longer than the timeout. The values come from Settings (docs/node.md, "Serving").
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from accord.config import Settings

log = logging.getLogger("accord.serve")
#: The request line and all headers of one request (the federation header is at most 16 KiB).
MAX_HEADER_BYTES = 64 * 1024


class GuardedProtocol(HttpToolsProtocol):
    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 60.0
    per_client: ClassVar[int] = 32
    #: Open connections by client address, in this process.
    open_by_client: ClassVar[Counter[str]] = Counter()

    @classmethod
    def configure(cls, settings: Settings) -> None:
        cls.header_timeout = settings.header_timeout_seconds
        cls.body_timeout = settings.body_timeout_seconds
        cls.per_client = settings.max_connections_per_client

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._counted: str | None = None
        self._header_bytes = 0

    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, what: str) -> None:
        self._deadline = None
        address = self.client[0] if self.client else "?"
        log.info("dropped a connection from %s: its request %s in time", address, what)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else ""
        if self.open_by_client[address] >= self.per_client:
            log.info("refused a connection from %s: %d already open", address, self.per_client)
            transport.close()
            return
        self.open_by_client[address] += 1
        self._counted = address
        self._arm(self.header_timeout, "headers did not arrive")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted is not None:
            self.open_by_client[self._counted] -= 1
            if self.open_by_client[self._counted] <= 0:
                del self.open_by_client[self._counted]
            self._counted = None
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._arm(self.header_timeout, "headers did not arrive")

    def on_url(self, url: bytes) -> None:
        self._count_header(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header(len(name) + len(value))
        super().on_header(name, value)

    def _count_header(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            self._expired("headers were too large")

    def on_headers_complete(self) -> None:
        self._arm(self.body_timeout, "body did not arrive")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The options ``accord serve`` gives uvicorn, besides host, port and workers."""
    GuardedProtocol.configure(settings)
    return {
        "http": GuardedProtocol,
        "timeout_keep_alive": 5,
        "limit_concurrency": settings.max_concurrent_requests,
        "h11_max_incomplete_event_size": 16 * 1024,
    }
