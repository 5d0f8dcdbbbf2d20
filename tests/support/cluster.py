"""Nodes in one process: each node's API app behind a ``TestClient``, the nodes joined by an
httpx transport that routes each request to the app its host names, one clock the test advances,
and no background workers (the test runs delivery and witnessing passes when it chooses). For
everything about federation but the real-process fault tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.cli import context
from accord.clock import Clock
from accord.config import Settings
from accord.node.services import NodeServices
from tests.support.cli import accord


class Mesh(httpx.BaseTransport):
    """Routes a request for ``http://<node>/...`` to that node's app."""

    def __init__(self) -> None:
        self.apps: dict[str, TestClient] = {}
        #: Nodes taken off the network: a request to one fails to connect.
        self.offline: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        app = self.apps.get(request.url.host)
        if app is None or request.url.host in self.offline:
            raise httpx.ConnectError(f"no node at {request.url.host}", request=request)
        answer = app.request(
            request.method,
            request.url.raw_path.decode("ascii"),
            content=request.read(),
            headers=dict(request.headers),
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


class InProcessNode:
    def __init__(
        self, home: Path, nation: str, name: str, app: TestClient, mesh: Mesh, clock: Clock
    ) -> None:
        self.home, self.nation, self.name, self.app = home, nation, name, app
        self.mesh, self.clock = mesh, clock

    @contextlib.contextmanager
    def offline(self) -> Iterator[None]:
        """The node unreachable by its peers for the block."""
        self.mesh.offline.add(self.name)
        try:
            yield
        finally:
            self.mesh.offline.discard(self.name)

    @property
    def services(self) -> NodeServices:
        found: NodeServices = self.app.app.state.services  # type: ignore[attr-defined]
        return found

    def cli(self, *args: str) -> str:
        """``accord ARGS`` on this node (in process); its stdout, after checking it succeeded."""
        result = accord(*args, home=self.home)
        assert result.returncode == 0, result.stderr
        return result.stdout


@contextlib.contextmanager
def cluster(
    root: Path, clock: Clock, nations: dict[str, str]
) -> Iterator[dict[str, InProcessNode]]:
    """Nodes by nation (``{"USA": "usa.test", ...}``), each with every other as a peer at
    ``http://<name>``, running until the block ends."""
    mesh = Mesh()
    saved_clock = context.clock
    context.clock = clock
    nodes: dict[str, InProcessNode] = {}
    try:
        with contextlib.ExitStack() as stack:
            for nation, name in nations.items():
                home = root / name
                result = accord("init", "--nation", nation, "--name", name, home=home)
                assert result.returncode == 0, result.stderr
            for nation, name in nations.items():
                for other in nations.values():
                    if other != name:
                        descriptor = str(root / other / "descriptor.json")
                        result = accord(
                            "peers", "add", "--descriptor", descriptor, "--url",
                            f"http://{other}", home=root / name,
                        )  # fmt: skip
                        assert result.returncode == 0, result.stderr
                settings = Settings(home=root / name)
                client = TestClient(create_app(settings, clock, background=False))
                stack.enter_context(client)
                mesh.apps[name] = client
                node = InProcessNode(root / name, nation, name, client, mesh, clock)
                node.services._client = httpx.Client(transport=mesh)
                nodes[nation] = node
            yield nodes
    finally:
        context.clock = saved_clock
