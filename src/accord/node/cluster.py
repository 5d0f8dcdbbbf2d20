"""Nodes as real ``accord serve`` processes on loopback: the one way ``accord demo``, the
benchmarks and the real-process tests start and stop nodes.

A node started here dies with the process that started it, however that one ends: on Linux the
child asks the kernel for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so a demo killed by
a timeout leaves no node running; elsewhere, :class:`Cluster` stops its nodes when it exits
(including on SIGTERM, which :func:`terminate_as_interrupt` turns into ``KeyboardInterrupt``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from accord.errors import AccordError

_PR_SET_PDEATHSIG = 1


class ClusterError(AccordError):
    """A node did not start, or a command on a node failed."""

    exit_code = 1
    code = "cluster-failed"


def accord_executable() -> str:
    """The ``accord`` script beside this interpreter (the virtualenv's), else the one on PATH."""
    return shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when its parent dies."""
    if not sys.platform.startswith("linux"):
        return None
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)

    def request() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return request


class ServedNode:
    """One node: its data directory, its port, and its ``accord serve`` process when running."""

    def __init__(
        self,
        home: Path,
        nation: str,
        name: str,
        *,
        environment: Mapping[str, str] | None = None,
        database_url: str | None = None,
        workers: int = 1,
        quiet: bool = False,
    ) -> None:
        self.home, self.nation, self.name = home, nation, name
        self.database_url, self.workers, self.quiet = database_url, workers, quiet
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra = dict(environment or {})
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        environment = {**os.environ, "ACCORD_HOME": str(self.home), **self.extra}
        environment.pop("ACCORD_DATABASE_URL", None)
        if self.database_url:
            environment["ACCORD_DATABASE_URL"] = self.database_url
        return environment

    def cli(self, *args: str) -> str:
        """``accord ARGS`` on this node, as a subprocess; its stdout (ClusterError if it
        failed)."""
        result = subprocess.run(  # noqa: S603 (our own executable)
            [accord_executable(), *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"{self.name}: accord {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def start(self, timeout: float = 20.0) -> None:
        command = [
            accord_executable(), "serve", "--port", str(self.port), "--workers", str(self.workers)
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 (our own executable)
            command,
            env=self.environment(),
            stderr=subprocess.DEVNULL if self.quiet else None,
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 (no threads hold locks it needs)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise ClusterError(f"{self.name} did not start")

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL if it is not done within ``timeout``."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup (the fault tests)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


@contextmanager
def running(nodes: list[ServedNode]) -> Iterator[list[ServedNode]]:
    """Start ``nodes``; stop every one of them when the block ends, however it ends."""
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def peer(pairs: list[tuple[ServedNode, ServedNode]]) -> None:
    """Pin each pair's descriptors and URLs on both sides (``accord peers add``)."""
    for first, second in pairs:
        for here, there in ((first, second), (second, first)):
            descriptor = str(there.home / "descriptor.json")
            here.cli("peers", "add", "--descriptor", descriptor, "--url", there.url)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises ``KeyboardInterrupt`` in the block, so that its ``finally`` clauses (which
    stop the nodes) run when a command is terminated, as when it is interrupted."""

    def interrupt(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
