"""Real ``accord serve`` processes for the tests that need one: a free port, a server started
and waited for, a server stopped."""

from __future__ import annotations

import signal
import subprocess
import time

import httpx

from accord.node.cluster import free_port
from tests.support.cli import ACCORD

__all__ = ["free_port", "serve", "stop", "wait_until_healthy"]


def serve(environment: dict[str, str], *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [ACCORD, "serve", "--port", str(port), *options]
    server = subprocess.Popen(command, env=environment)
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(base)
    return server, base


def wait_until_healthy(base: str, attempts: int = 150) -> None:
    """Poll ``/healthz`` every 0.1 s until the server answers 200."""
    for _ in range(attempts):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the server at {base} did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    # uvicorn shuts down gracefully, then re-raises the signal it caught (its documented way).
    assert server.wait(timeout=20) in (0, -signal.SIGTERM)
