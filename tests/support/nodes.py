"""A node as a real ``accord serve`` process on loopback (``accord.node.cluster``, the helper the
demo and the benchmarks use too), for the tests that need real processes: the fault tests that
kill them, and following the register across processes. Commands on a SQLite node run in
process; on a PostgreSQL node, as subprocesses with the node's environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from accord.config import Settings
from accord.node.cluster import ServedNode, accord_executable
from tests.support.cli import accord


class Node(ServedNode):
    def __init__(
        self,
        home: Path,
        nation: str,
        name: str,
        *,
        database_url: str | None = None,
        workers: int = 1,
        environment: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            home,
            nation,
            name,
            database_url=database_url,
            workers=workers,
            environment={
                "ACCORD_DELIVERY_INTERVAL_SECONDS": "0.2",
                # A killed sender's claims run out after 3 s, not a minute (the fault tests).
                "ACCORD_DELIVERY_LEASE_SECONDS": "3",
                **(environment or {}),
            },
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        if self.database_url is None:
            return accord(*args, home=self.home, **self.extra)
        return subprocess.run(
            [accord_executable(), *args],
            capture_output=True,
            text=True,
            env=self.environment(),
            timeout=60,
            check=False,
        )

    def json(self, *args: str) -> object:
        result = self.run(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def settings(self) -> Settings:
        return Settings(home=self.home, database_url=self.database_url)
