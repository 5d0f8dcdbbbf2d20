"""The ``accord`` entry point. Errors become one line on stderr and a non-zero exit code;
no traceback reaches a user (set ``ACCORD_DEBUG=1`` to see one)."""

from __future__ import annotations

import logging
import os
import sys

import typer

from accord import __version__
from accord.cli import agreements as agreements_cli
from accord.cli import context
from accord.cli import demo as demo_cli
from accord.cli import envelopes as envelopes_cli
from accord.cli import federation as federation_cli
from accord.cli import init as init_cli
from accord.cli import labels as labels_cli
from accord.cli import log as log_cli
from accord.cli import node as node_cli
from accord.cli import policy as policy_cli
from accord.cli import serve as serve_cli
from accord.cli import transfers as transfers_cli
from accord.cli.context import err
from accord.errors import AccordError
from accord.node.clocks import clock_for

INTERNAL_ERROR_EXIT = 70

app = typer.Typer(
    name="accord",
    help="Accord: agreement-governed, secure information exchange between allied nations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(init_cli.init)
app.add_typer(agreements_cli.app, name="agreements")
app.add_typer(labels_cli.app, name="label")
app.add_typer(transfers_cli.app, name="transfers")
app.add_typer(log_cli.app, name="log")
app.add_typer(envelopes_cli.keys_app, name="keys")
app.command("seal")(envelopes_cli.seal_command)
app.command("open")(envelopes_cli.open_command)
app.command("verify")(envelopes_cli.verify_command)
app.command("decide")(policy_cli.decide)
app.command("channels")(policy_cli.channels)
app.add_typer(node_cli.users_app, name="users")
app.add_typer(node_cli.tokens_app, name="tokens")
app.command("send")(node_cli.send)
app.command("outbox")(node_cli.outbox)
app.add_typer(federation_cli.peers_app, name="peers")
app.add_typer(federation_cli.messages_app, name="messages")
app.command("deliver")(federation_cli.deliver)
app.command("witness")(federation_cli.witness)
app.command("demo")(demo_cli.demo)
app.command("serve")(serve_cli.serve)
app.command("alerts")(node_cli.alerts)
app.command("watch")(node_cli.watch)
app.command("receive")(node_cli.receive)
app.command("inbox")(node_cli.inbox)
app.command("read")(node_cli.read)


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
        context.clock = clock_for(context.settings(), context.clock)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    logging.basicConfig(level=logging.DEBUG if os.environ.get("ACCORD_DEBUG") else logging.WARNING)
    try:
        # Typer handles usage errors itself (message and exit code 2) and exits by SystemExit;
        # Accord's own errors and anything unexpected come through to the handlers below.
        app(args=argv, prog_name="accord")
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except AccordError as e:
        err.print(f"[bold red]error:[/] {e}", markup=True, highlight=False)
        return e.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as e:
        if os.environ.get("ACCORD_DEBUG"):
            raise
        logging.getLogger("accord").debug("internal error", exc_info=True)
        err.print(f"internal error: {type(e).__name__}; run again with ACCORD_DEBUG=1 for details")
        return INTERNAL_ERROR_EXIT
    return 0


def entry() -> None:
    sys.exit(run())
