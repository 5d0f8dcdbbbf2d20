"""The operator console: server-rendered pages for officers, operators and auditors, served by
``accord serve`` beside the API, over the same node services (docs/console.md)."""

from __future__ import annotations

from starlette.types import Scope

#: Paths that belong to the API and federation (bearer tokens, signed requests); every other
#: path of the node is the console's (its session cookie).
NOT_CONSOLE = ("/v1/", "/federation/", "/docs", "/redoc", "/openapi.json", "/healthz", "/metrics")


def is_console(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    return not path.startswith(NOT_CONSOLE)
