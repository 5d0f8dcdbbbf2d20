"""``accord serve``: the node's HTTP API under uvicorn, shut down gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import os
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
import uvicorn

from accord.api import logs
from accord.api.app import SWITCH_INTERVAL_SECONDS, create_app
from accord.api.server import uvicorn_options
from accord.cli import context


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8600,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Worker processes (PostgreSQL).")
    ] = 1,
    log_format: Annotated[
        LogFormat | None,
        typer.Option("--log-format", help="text (default) or json: one object per line."),
    ] = None,
) -> None:
    """Serve the node's API (see /docs and /openapi.json). Prints where it listens, then a line
    per change of a message's state, refused request, alert and witness result."""
    if log_format is not None:
        os.environ["ACCORD_LOG_FORMAT"] = log_format.value  # worker processes inherit it
    settings = context.settings()
    logs.configure(settings.log_format)
    logging.getLogger("accord.serve").info(
        "listening on http://%s:%d (%d worker process%s, database %s)",
        host,
        port,
        workers,
        "" if workers == 1 else "es",
        # The kind of database only: a URL may carry a password.
        settings.effective_database_url.split(":", 1)[0].split("+", 1)[0],
        extra={"fields": {"host": host, "port": port, "workers": workers}},
    )
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "timeout_graceful_shutdown": 10,
        **uvicorn_options(context.settings()),
    }
    if workers == 1:
        uvicorn.run(create_app(context.settings(), context.clock), **options)
        return
    # Each worker process builds its own app (its own connections) from the same settings.
    context.settings()  # refuse bad settings here, once, rather than in every worker
    uvicorn.run("accord.api.app:app_from_environment", factory=True, workers=workers, **options)
