"""Help as plain text: the commands' docstrings are written for the code's readers (with
reStructuredText literals, ``like this``, and wrapped at the source's width); on a terminal they
are shown without the markup, each paragraph one line that the terminal wraps."""

from __future__ import annotations

import re
from typing import Any

_LITERAL = re.compile(r"``([^`]+)``")


def plain(text: str | None) -> str | None:
    """``text`` without reStructuredText literals, its paragraphs unwrapped (a blank line still
    separates them)."""
    if text is None:
        return None
    paragraphs = re.split(r"\n\s*\n", _LITERAL.sub(r"\1", text).strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def make_plain(command: Any, panel: str | None = None) -> None:
    """Plain help for ``command`` (a Click command, as Typer builds it), its options and its
    subcommands; ``panel`` is the heading it is listed under in ``accord --help``."""
    command.help = plain(command.help)
    command.short_help = plain(command.short_help)
    if panel is not None:
        command.rich_help_panel = panel
    for param in command.params:
        if isinstance(getattr(param, "help", None), str):
            param.help = plain(param.help)
    for sub in getattr(command, "commands", {}).values():
        make_plain(sub)
