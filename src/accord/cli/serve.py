"""``accord serve``: the node's HTTP API under uvicorn, shut down gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from accord.api.app import create_app
from accord.cli import context


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8600,
) -> None:
    """Serve the node's API (see /docs and /openapi.json)."""
    app = create_app(context.settings(), context.clock)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=10)
