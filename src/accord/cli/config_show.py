"""``accord config show``: the settings in effect and where each came from (the environment,
``$ACCORD_HOME/accord.toml``, or the default)."""

from __future__ import annotations

import enum
import json
import os
import re
import tomllib
from typing import Annotated, Any

import typer

from accord.cli import context
from accord.config import CONFIG_FILE_NAME, Limits, Settings

#: The password in a database URL (``scheme://user:password@host``): never printed.
_PASSWORD = re.compile(r"^([A-Za-z0-9+.\-]+://[^:/@]*):[^@]*@")


def _shown(name: str, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if name == "database_url" and isinstance(value, str):
        return _PASSWORD.sub(r"\1:***@", value)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _file_values(settings: Settings) -> tuple[str, dict[str, Any]]:
    path = settings.home_path / CONFIG_FILE_NAME
    if not path.is_file():
        return str(path), {}
    with path.open("rb") as handle:
        return str(path), tomllib.load(handle)


def effective(settings: Settings) -> list[dict[str, Any]]:
    """Each setting: its name, its value (a database password masked), and its source."""
    file_name, in_file = _file_values(settings)
    rows = []
    for name in Settings.model_fields:
        if name == "limits":
            continue
        variable = f"ACCORD_{name.upper()}"
        if variable in os.environ:
            source = f"environment ({variable})"
        elif name in in_file:
            source = f"file ({file_name})"
        else:
            source = "default"
        rows.append(
            {"name": name, "value": _shown(name, getattr(settings, name)), "source": source}
        )
    file_limits = in_file.get("limits", {})
    for name in Limits.model_fields:
        variable = f"ACCORD_LIMIT_{name.upper()}"
        value = getattr(settings.limits, name)
        if variable in os.environ:
            source = f"environment ({variable})"
        elif isinstance(file_limits, dict) and name in file_limits:
            source = f"file ({file_name}, [limits])"
        else:
            source = "default"
        rows.append({"name": f"limits.{name}", "value": value, "source": source})
    return rows


app = typer.Typer(help="The node's settings.", no_args_is_help=True)


@app.command()
def show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """The settings in effect and where each came from: the environment (ACCORD_...), the
    home's accord.toml, or the default. A database password is never shown."""
    rows = effective(context.settings())
    if as_json:
        context.print_json(rows)
        return
    for row in rows:
        shown = json.dumps(row["value"])
        context.out.print(f"{row['name']} = {shown}  # {row['source']}", markup=False)
