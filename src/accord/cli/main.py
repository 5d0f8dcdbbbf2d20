"""The ``accord`` entry point. Errors become one line on stderr and a non-zero exit code;
no traceback reaches a user (set ``ACCORD_DEBUG=1`` to see one)."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any

import typer
from typer._click import exceptions as click_errors
from typer.core import TyperGroup

from accord import __version__
from accord.cli.help_text import make_plain, name_what_is_expected
from accord.errors import AccordError

INTERNAL_ERROR_EXIT = 70

#: Every command: its name, its module, the Typer app (a group of commands) or the function (one
#: command) in it, and the heading ``accord --help`` lists it under. A module is imported when its
#: command runs (or help lists it), so that ``accord --version`` imports none and ``accord
#: agreements list`` only the register's.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "agreements": ("accord.cli.agreements", "app", "Register"),
    "channels": ("accord.cli.agreements", "capabilities", "Register"),
    "decide": ("accord.cli.policy", "decide", "Register"),
    "alerts": ("accord.cli.node", "alerts", "Register"),
    "watch": ("accord.cli.node", "watch", "Register"),
    "transfers": ("accord.cli.transfers", "app", "Register"),
    "label": ("accord.cli.labels", "app", "Labels"),
    "send": ("accord.cli.node", "send", "Messages"),
    "outbox": ("accord.cli.node", "outbox", "Messages"),
    "messages": ("accord.cli.federation", "messages_app", "Messages"),
    "inbox": ("accord.cli.node", "inbox", "Messages"),
    "read": ("accord.cli.node", "read", "Messages"),
    "seal": ("accord.cli.envelopes", "seal_command", "Messages"),
    "open": ("accord.cli.envelopes", "open_command", "Messages"),
    "verify": ("accord.cli.envelopes", "verify_command", "Messages"),
    "init": ("accord.cli.init", "init", "Node"),
    "serve": ("accord.cli.serve", "serve", "Node"),
    "users": ("accord.cli.node", "users_app", "Node"),
    "tokens": ("accord.cli.node", "tokens_app", "Node"),
    "keys": ("accord.cli.envelopes", "keys_app", "Node"),
    "demo": ("accord.cli.demo", "demo", "Node"),
    "config": ("accord.cli.config_show", "app", "Node"),
    "peers": ("accord.cli.federation", "peers_app", "Federation"),
    "deliver": ("accord.cli.federation", "deliver", "Federation"),
    "receive": ("accord.cli.node", "receive", "Federation"),
    "witness": ("accord.cli.federation", "witness", "Federation"),
    "log": ("accord.cli.log", "app", "Log"),
}


class LazyGroup(TyperGroup):
    """The top-level group: each command is built from its module on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            name_what_is_expected(param)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute, panel = COMMANDS[cmd_name]
            found = getattr(importlib.import_module(module), attribute)
            # A Typer app is a group of commands even when it has only one (messages status).
            grouped = isinstance(found, typer.Typer)
            if not grouped:
                # Shell completion is installed from the top (accord --install-completion),
                # not offered again on every command.
                single = typer.Typer(add_completion=False)
                single.command(cmd_name)(found)
                found = single
            command = typer.main.get_group(found) if grouped else typer.main.get_command(found)
            command.name = cmd_name
            make_plain(command, panel)
            self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="accord",
    cls=LazyGroup,
    help="Accord: agreement-governed, secure information exchange between allied nations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"accord {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Accord keeps the register of agreements between nations and decides what may be shared."""
    if os.environ.get("ACCORD_UNSAFE_CLOCK_FILE"):
        from accord.cli import context
        from accord.node.clocks import clock_for

        context.clock = clock_for(context.settings(), context.clock)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    logging.basicConfig(level=logging.DEBUG if os.environ.get("ACCORD_DEBUG") else logging.WARNING)
    try:
        # Not standalone: usage errors come here as exceptions, to be told in one line like
        # every other error; a command's exit code comes back as the result.
        code = app(args=argv, prog_name="accord", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as e:
        sys.stdout.write(e.ctx.get_help() + "\n")
        return e.exit_code
    except click_errors.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "accord"
        message = e.format_message().rstrip(".")
        sys.stderr.write(f"error: {message} (see '{where} --help')\n")
        return e.exit_code
    except click_errors.ClickException as e:
        sys.stderr.write(f"error: {e.format_message()}\n")
        return e.exit_code
    except typer.Abort:
        sys.stderr.write("aborted\n")
        return 1
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except AccordError as e:
        from accord.cli.context import err

        err.print(f"[bold red]error:[/] {e}", markup=True, highlight=False)
        return e.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as e:
        if os.environ.get("ACCORD_DEBUG"):
            raise
        logging.getLogger("accord").debug("internal error", exc_info=True)
        from accord.cli.context import err

        err.print(f"internal error: {type(e).__name__}; run again with ACCORD_DEBUG=1 for details")
        return INTERNAL_ERROR_EXIT
    return code if isinstance(code, int) else 0


def entry() -> None:
    sys.exit(run())
