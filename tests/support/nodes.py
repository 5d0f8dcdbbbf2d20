"""A node as a real ``accord serve`` process on loopback, for the federation tests that need real
processes (and the fault tests that kill them)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

from accord.config import Settings
from tests.support.cli import ACCORD, accord
from tests.support.servers import free_port, wait_until_healthy


class Node:
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
        self.home, self.nation, self.name = home, nation, name
        #: Extra environment for the node's processes and commands (a clock file ...).
        self.extra = dict(environment or {})
        self.database_url, self.workers = database_url, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        environment = {
            **os.environ,
            "ACCORD_HOME": str(self.home),
            "ACCORD_DELIVERY_INTERVAL_SECONDS": "0.2",
            # A killed sender's claims run out after 3 s, not a minute (the fault tests).
            "ACCORD_DELIVERY_LEASE_SECONDS": "3",
        }
        environment.pop("ACCORD_DATABASE_URL", None)
        environment.update(self.extra)
        if self.database_url:
            environment["ACCORD_DATABASE_URL"] = self.database_url
        return environment

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        if self.database_url is None:
            return accord(*args, home=self.home, **self.extra)
        return subprocess.run(
            [ACCORD, *args],
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

    def start(self) -> None:
        command = [ACCORD, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        self.process = subprocess.Popen(command, env=self.environment())
        wait_until_healthy(self.url)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
            self.process = None

    def settings(self) -> Settings:
        return Settings(home=self.home, database_url=self.database_url)
