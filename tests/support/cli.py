"""Running ``accord`` in tests: in process through ``accord.cli.main.run`` (what the console script
calls), or, for the few tests of the entry point itself, as a real subprocess of the installed
script.

In process, a command sees exactly what a subprocess would: the environment given (``ACCORD_HOME``
and the extra variables, without the caller's ``ACCORD_DATABASE_URL``), empty standard input, its
own standard output and error, and the system clock unless the test fixed ``context.clock``.
Whatever a command changes in the CLI's module state (the clock it may read from
``ACCORD_UNSAFE_CLOCK_FILE``) is put back afterwards.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer._click import Context

from accord.cli import context
from accord.cli.main import COMMANDS, LazyGroup, run

ACCORD = shutil.which("accord", path=str(Path(sys.executable).parent)) or "accord"


@contextlib.contextmanager
def _environment(values: dict[str, str], removed: tuple[str, ...]) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for name in removed:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def accord(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``accord ARGS`` in this process, as a completed process (exit code, stdout, stderr)."""
    stdout, stderr = _stream(), _stream()
    clock = context.clock
    with (
        _environment({"ACCORD_HOME": str(home), **env}, ("ACCORD_DATABASE_URL",)),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        stdin, sys.stdin = sys.stdin, io.StringIO()
        try:
            code = run(list(args))
        finally:
            sys.stdin = stdin
            context.clock = clock
    return subprocess.CompletedProcess(["accord", *args], code, _text(stdout), _text(stderr))


def _stream() -> io.TextIOWrapper:
    """A text stream with a byte buffer under it, as a process's standard streams have (some
    commands write bytes to ``sys.stdout.buffer``)."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="replace")


def accord_process(
    *args: str, home: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """``accord ARGS`` as a real subprocess of the installed script."""
    environment = {**os.environ, "ACCORD_HOME": str(home), **env}
    environment.pop("ACCORD_DATABASE_URL", None)
    return subprocess.run(
        [ACCORD, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )


def every_command() -> dict[str, Any]:
    """Every command that runs (not the groups), by its words: ``{"log list": command}``."""
    group = LazyGroup(name="accord")
    context = Context(group)
    found: dict[str, Any] = {}

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(context):
                walk(command.get_command(context, name), [*path, name])
        else:
            found[" ".join(path)] = command

    for name in COMMANDS:
        walk(group.get_command(context, name), [name])
    return found
