"""Help as plain text: the commands' docstrings are written for the code's readers (with
reStructuredText literals, ``like this``, and wrapped at the source's width); on a terminal they
are shown without the markup, each paragraph one line that the terminal wraps."""

from __future__ import annotations

import enum
import re
from pathlib import Path
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
        name_what_is_expected(param)
    help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = help_option(ctx)
        if option is not None:
            name_what_is_expected(option)
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        make_plain(sub)


def name_what_is_expected(param: Any) -> None:
    """The type column of the help says what is expected, never a Python type: nothing for a
    flag (``<bool>`` after every flag said nothing) or an argument (its name column already says
    it: ``NATION``, ``FILE``); for an option, its metavar (``DATE``), else ``FILE`` for a path,
    the choices for a choice, else the option's name (``--nation NATION``, ``--port PORT``).
    Done once per parameter (help may ask for a command's parameters several times)."""
    if getattr(param, "_accord_named", False):
        return
    param._accord_named = True
    if param.param_type_name == "argument" and not param.metavar:
        param.metavar = param.name.upper().replace("_", "-")  # spif_file: SPIF-FILE, as usage
    shown = param.display_type_rich

    def display(ctx: Any) -> str | None:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            return None
        if param.param_type_name == "argument":
            return None
        if getattr(param, "metavar", None):
            return str(param.metavar)
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            result: str | None = shown(ctx)  # the choices
            return result
        if annotation is Path:
            return "FILE"
        # Typer adds a number's range after it ([1<=x<=65535]).
        return str(max(param.opts, key=len).lstrip("-").upper())

    param.display_type_rich = display
