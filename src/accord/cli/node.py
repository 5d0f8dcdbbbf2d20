"""``accord users``, ``accord tokens``, ``accord send``, ``accord outbox``: the node's officers
and their releases."""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.agreements.dates import Duration
from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity
from accord.agreements.vocabulary import capability as capability_of
from accord.cli import context
from accord.cli.label_values import LABEL_OPTION, node_label
from accord.cli.policy import DENIED_EXIT
from accord.errors import InvalidInput
from accord.node.console_sessions import MAX_PASSWORD_BYTES
from accord.node.inbox import MAX_ENVELOPE
from accord.node.messaging import MAX_BODY
from accord.node.users import Role

users_app = typer.Typer(
    help="The node's users: officers, operators, auditors.", no_args_is_help=True
)
tokens_app = typer.Typer(help="API tokens of users.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


@users_app.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="The user's name (lower case).")],
    role: Annotated[str, typer.Option("--role", help="officer, operator, auditor or analyst.")],
    clearance: Annotated[
        str | None, typer.Option("--clearance", help="A level of the national policy.")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="A category held (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user of this node."""
    with context.node() as node:
        user = node.users.add(name, role, clearance, category or [])
    if as_json:
        context.print_json(user.to_dict())
        return
    context.out.print(
        f"added {user.role.value} {user.name}"
        + (f" cleared {user.clearance}" if user.clearance else ""),
        markup=False,
    )


@users_app.command("list")
def list_users(as_json: JsonOption = False) -> None:
    """List the node's users."""
    with context.node() as node:
        found = node.users.list()
    if as_json:
        context.print_json([u.to_dict() for u in found])
        return
    table = Table("name", "role", "clearance", "categories", "status")
    for user in found:
        table.add_row(
            user.name,
            user.role.value,
            user.clearance or "",
            ", ".join(user.categories),
            "active" if user.active else "revoked",
        )
    context.out.print(table)


@users_app.command("show")
def show_user(
    name: Annotated[str, typer.Argument(help="The user's name (accord users list).")],
    as_json: JsonOption = False,
) -> None:
    """Show one user."""
    with context.node() as node:
        user = node.users.get(name)
    if as_json:
        context.print_json(user.to_dict())
    else:
        for key, value in user.to_dict().items():
            context.out.print(f"{key}: {value}", markup=False)


@users_app.command("revoke")
def revoke_user(
    name: Annotated[str, typer.Argument(help="The user's name (accord users list).")],
) -> None:
    """Revoke a user and all their tokens."""
    with context.node() as node:
        node.users.revoke(name)
    context.out.print(f"revoked {name} and their tokens", markup=False)


@users_app.command("passwd")
def set_password(
    name: Annotated[str, typer.Argument(help="The user's name (accord users list).")],
) -> None:
    """Set a user's console password (argon2id; at least 12 characters). Asked twice at a
    terminal; otherwise read from the first line of standard input. The user's console sessions
    end."""
    with context.node() as node:
        node.users.get(name)  # an unknown user is refused before a password is asked for
    if sys.stdin.isatty():
        password = getpass.getpass(f"console password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise InvalidInput("the two passwords differ; nothing changed")
    else:
        password = sys.stdin.readline(MAX_PASSWORD_BYTES + 2).rstrip("\r\n")
    with context.node() as node:
        node.console.set_password(name, password)
    context.out.print(f"set the console password of {name}", markup=False)


@tokens_app.command("create")
def create_token(
    name: Annotated[str, typer.Argument(help="The user the token acts for.")],
    expires_in: Annotated[str, typer.Option("--expires-in", help="Lifetime: 90d, 6m, 1y.")] = "90d",
    as_json: JsonOption = False,
) -> None:
    """Create an API token; the token alone is printed on stdout, once (--json: with its id,
    user and expiry)."""
    today = context.clock.today()
    lifetime = dt.timedelta(days=(Duration.parse(expires_in).add_to(today) - today).days)
    with context.node() as node:
        issued = node.users.create_token(name, lifetime=lifetime)
    if as_json:
        context.print_json(
            {
                "id": issued.id,
                "user": issued.user,
                "expires_at": str(issued.expires_at),
                "token": issued.token,
            }
        )
        return
    context.err.print(
        f"token {issued.id} for {issued.user}, expires {issued.expires_at}", markup=False
    )
    sys.stdout.write(issued.token + "\n")


@tokens_app.command("list")
def list_tokens(
    user: Annotated[
        str | None, typer.Option("--user", metavar="NAME", help="Only this user's tokens.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """API tokens: whose, made when, expiring when, revoked or not. A token itself is shown
    once, when it is created, and never again."""
    with context.node() as node:
        records = node.users.tokens(user)
    now = context.clock.now().isoformat()
    if as_json:
        context.print_json([r.to_dict() for r in records])
        return
    if not records:
        context.out.print("No tokens.", markup=False)
        return
    table = Table(box=None, pad_edge=False)
    for column in ("id", "user", "expires", "state"):
        table.add_column(column, no_wrap=True)
    for record in records:
        state = (
            f"revoked {record.revoked_at[:10]}"
            if record.revoked_at
            else ("expired" if record.expires_at <= now else "active")
        )
        table.add_row(record.id, record.user, record.expires_at[:10], state)
    context.out.print(table)


@tokens_app.command("revoke")
def revoke_token(token_id: Annotated[str, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token."""
    with context.node() as node:
        node.users.revoke_token(token_id)
    context.out.print(f"revoked token {token_id}", markup=False)


def send(
    user: Annotated[str, typer.Option("--as", help="The officer releasing it.")],
    to: Annotated[str, typer.Option("--to", metavar="NATION", help="The partner nation.")],
    label: Annotated[str, LABEL_OPTION],
    capability: Annotated[str, typer.Option("--capability", help="e.g. secure-communications.")],
    activity_name: Annotated[str, typer.Option("--activity", help="e.g. joint-exercises.")],
    text: Annotated[str | None, typer.Option("--text", help="The message text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A file to release.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Release a message to a partner nation: decided, sealed, queued and logged.

    Exit 0 when released, 3 when denied."""
    if (text is None) == (file is None):
        raise InvalidInput("give exactly one of --text and --file")
    if text is not None:
        body = text.encode()
    else:
        assert file is not None
        body = context.read_file(file, MAX_BODY, "file")
    with context.node() as node:
        result = node.messaging().release(
            user_name=user,
            recipient=nation_code(to),
            label=node_label(label, node),
            capability=capability_of(capability).value,
            activity=activity(activity_name).value,
            body=body,
        )
    if as_json:
        context.print_json(result.to_dict())
    else:
        verdict = f"queued as {result.id}" if result.id else "denied"
        sys.stdout.write(f"{verdict} (log entry {result.log_index})\n{result.decision.explain()}\n")
    if not result.decision.permit:
        raise typer.Exit(DENIED_EXIT)


def outbox(
    as_json: JsonOption = False,
    envelope: Annotated[
        str | None, typer.Option("--envelope", help="Write this message's envelope to --out.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the envelope.")] = None,
) -> None:
    """Messages released and waiting for delivery (or one's sealed envelope, for hand delivery)."""
    with context.node() as node:
        if envelope is not None:
            if out is None:
                raise InvalidInput("--envelope needs --out FILE")
            messaging = node.messaging()
            out.write_bytes(messaging.envelope(messaging.resolve(envelope)))
            return
        rows = node.messaging().outbox()
    if as_json:
        context.print_json(rows)
        return
    context.print_outbox(rows)


def alerts(as_json: JsonOption = False) -> None:
    """Alerts of the lifecycle watcher: agreements about to expire, channels opened or closed."""
    with context.node() as node:
        watcher = node.watcher()
        found = watcher.alerts()
    if as_json:
        context.print_json([a.to_dict() for a in found])
        return
    if not found:
        context.out.print("no alerts", markup=False)
    for alert in found:
        context.out.print(f"[{alert.kind}] {alert.message}", markup=False)


def watch(as_json: JsonOption = False) -> None:
    """Run the lifecycle watcher once (accord serve runs it periodically)."""
    with context.node() as node:
        watcher = node.watcher()
        raised = watcher.run_once()
    if as_json:
        context.print_json([a.to_dict() for a in raised])
        return
    context.out.print(f"{context.counted(len(raised), 'new alert')}", markup=False)
    for alert in raised:
        context.out.print(f"[{alert.kind}] {alert.message}", markup=False)


def receive(
    file: Annotated[Path, typer.Argument(help="An envelope from a partner node.")],
    as_json: JsonOption = False,
) -> None:
    """Receive a partner's envelope: verified, decided again under this node's register, and
    stored in the inbox (exit 3 if refused)."""
    data = context.read_file(file, MAX_ENVELOPE, "envelope")
    with context.node() as node:
        accepted = node.inbox().accept(data)
    if as_json:
        context.print_json(
            {
                "id": accepted.id,
                "from": accepted.sender,
                "label": accepted.marking,
                "log_index": accepted.log_index,
            }
        )
    else:
        line = f"accepted {accepted.id} from {accepted.sender} ({accepted.marking})"
        sys.stdout.write(f"{line}, log entry {accepted.log_index}\n")


def inbox(
    user: Annotated[str, typer.Option("--as", help="The reader.")],
    as_json: JsonOption = False,
) -> None:
    """Messages this user may read (nothing above their clearance is listed)."""
    with context.node() as node:
        reader = node.users.require(user, Role.OFFICER)
        rows = node.inbox().list_for(reader)
    if as_json:
        context.print_json(rows)
        return
    # Fits 80 columns: the id whole, the marking wrapped at word boundaries (never cut).
    table = Table(box=None, pad_edge=False)
    table.add_column("id", no_wrap=True, min_width=36)
    table.add_column("from", no_wrap=True)
    table.add_column("marking")
    for row in rows:
        table.add_row(row["id"], row["nation"], row["label"])
    context.out.print(table)


def read(
    user: Annotated[str, typer.Option("--as", help="The reader.")],
    message_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The message id, or its first characters (at least four) if no other id "
            "this reader may read starts so.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write the content to this file."),
    ] = None,
    raw: Annotated[
        bool,
        typer.Option("--raw", help="The content alone on stdout (its marking on stderr)."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Open a message for a reader, after their read decision. Its marking (under this node's
    policy) is printed above and below the content, as classified systems show it."""
    with context.node() as node:
        reader = node.users.require(user, Role.OFFICER)
        inbox = node.inbox()
        described, content = inbox.read_marked(reader, inbox.resolve_for(reader, message_id))
    marking = str(described["label"])
    if as_json:
        context.print_json(
            {**described, "marking": marking, "content_base64": base64.b64encode(content).decode()}
        )
    elif out is not None or raw:
        context.err.print(f"marking: {marking}", markup=False, highlight=False)
        if out is not None:
            out.write_bytes(content)
        else:
            sys.stdout.buffer.write(content)
    else:
        body = content if content.endswith(b"\n") or not content else content + b"\n"
        sys.stdout.buffer.write(f"{marking}\n".encode() + body + f"{marking}\n".encode())
