"""``accord peers``, ``accord messages status`` and ``accord deliver``: federation with partner
nodes from the node's own machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from accord.cli import context
from accord.crypto.descriptor import MAX_DESCRIPTOR_BYTES
from accord.federation.outbox import OutboxState
from accord.node.witnessing import cosigned_checkpoints

peers_app = typer.Typer(help="Partner nodes: pinned descriptors and URLs.", no_args_is_help=True)
messages_app = typer.Typer(help="Messages this node sent.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ID_HELP = "The message id, or its first characters (at least four) if no other id starts so."


@peers_app.command("add")
def add(
    descriptor: Annotated[Path, typer.Option("--descriptor", help="The peer's signed descriptor.")],
    url: Annotated[str, typer.Option("--url", help="Where the peer's node listens.")],
) -> None:
    """Pin a peer's descriptor (an update must be signed by a key already pinned) and its URL."""
    data = context.read_file(descriptor, MAX_DESCRIPTOR_BYTES, "descriptor")
    with context.node() as node:
        peer, known = node.peers().add(data, url)
    verb = "updated" if known else "added"
    context.out.print(f"{verb} peer {peer.node} ({peer.nation}) at {peer.url}", markup=False)


@peers_app.command("list")
def list_peers(as_json: JsonOption = False) -> None:
    """The peers this node federates with."""
    with context.node() as node:
        peers = node.peers().list()
    if as_json:
        context.print_json([p.to_dict() for p in peers])
        return
    if not peers:
        context.out.print("No peers: add one with 'accord peers add'.")
        return
    table = Table(box=None, pad_edge=False, title="Peers", title_justify="left")
    for column in ("node", "nation", "url"):
        table.add_column(column, overflow="fold")
    table.add_column("added", no_wrap=True)
    for peer in peers:
        table.add_row(peer.node, peer.nation, peer.url, peer.added_at[:10])
    context.out.print(table)


@peers_app.command("show")
def show(
    node_name: Annotated[
        str, typer.Argument(metavar="NODE", help="The peer's node name (accord peers list).")
    ],
    as_json: JsonOption = False,
) -> None:
    """One peer: its nation, URL, last contact and pinned keys."""
    with context.node() as node:
        peer = node.peers().get(node_name)
    if as_json:
        context.print_json(peer.to_dict())
        return
    out = context.out
    out.print(
        f"{peer.node} ({peer.nation}) at {peer.url}, added {peer.added_at}",
        markup=False,
    )
    out.print(
        f"last answered a delivery: {(peer.reached_at or 'never')[:16]}; "
        f"last request from it: {(peer.heard_at or 'never')[:16]}",
        markup=False,
    )
    table = Table(
        Column("key", no_wrap=True),
        "algorithm",
        "status",
        title="pinned keys",
        title_justify="left",
    )
    for key in peer.descriptor.keys:
        table.add_row(key.id, key.algorithm, key.status.value)
    out.print(table)


@peers_app.command("remove")
def remove(
    node_name: Annotated[
        str, typer.Argument(metavar="NODE", help="The peer's node name (accord peers list).")
    ],
) -> None:
    """Stop federating with a peer: its URL and pinned descriptor are removed."""
    with context.node() as node:
        node.peers().remove(node_name)
    context.out.print(f"removed peer {node_name}", markup=False)


@messages_app.command("list")
def list_messages(
    state: Annotated[
        OutboxState | None,
        typer.Option("--state", help="Only messages in this state."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The messages this node sent, oldest first, with their states (queued, sending, held,
    delivered, refused)."""
    with context.node() as node:
        rows = node.messaging().outbox()
    if state is not None:
        rows = [row for row in rows if row["status"] == state.value]
    if as_json:
        context.print_json(rows)
    elif not rows:
        context.out.print("No messages" + (f" {state.value}." if state else "."), markup=False)
    else:
        context.print_outbox(rows)


@messages_app.command("status")
def status(
    message_id: Annotated[str, typer.Argument(metavar="ID", help=ID_HELP)],
    as_json: JsonOption = False,
) -> None:
    """A sent message's state: queued, sending, held (with the reason it may not leave),
    delivered (with the receipt) or refused by the partner (with its reason), then its history:
    each change of state, with its time and reason."""
    with context.node() as node:
        messaging = node.messaging()
        view = messaging.status(messaging.resolve(message_id))
    if as_json:
        context.print_json(view)
        return
    reason = f": {view['reason']}" if view.get("reason") else ""
    context.out.print(
        f"{view['id']} to {view['recipient_node']} ({view['recipient_nation']}): "
        f"{view['status']}{reason}",
        markup=False,
    )
    for change in view["history"]:
        why = f": {change['reason']}" if change["reason"] else ""
        context.out.print(
            f"  {change['at'][:19]}  {change['state']} ({change['event']}){why}", markup=False
        )


@messages_app.command("retry")
def retry(
    message_id: Annotated[str, typer.Argument(metavar="ID", help=ID_HELP)],
    as_json: JsonOption = False,
) -> None:
    """Send a message again at once: one the partner refused (the partner decides it afresh),
    one held (decided again now), or one waiting to retry. A delivered message is not sent
    again."""
    with context.node() as node:
        messaging = node.messaging()
        view = messaging.retry(messaging.resolve(message_id))
    if as_json:
        context.print_json(view)
        return
    context.out.print(
        f"{view['id']} to {view['recipient_node']} ({view['recipient_nation']}): "
        f"{view['status']}, sent at the next delivery pass",
        markup=False,
    )


def deliver(as_json: JsonOption = False) -> None:
    """Run one delivery pass now (``accord serve`` runs them continuously)."""
    with context.node() as node:
        report = node.delivery().run_once()
    summary = {
        "delivered": report.delivered,
        "refused": report.refused,
        "held": report.held,
        "failed": report.failed,
    }
    if as_json:
        context.print_json(summary)
        return
    context.out.print(", ".join(f"{v} {k}" for k, v in summary.items()), markup=False)


def witness(as_json: JsonOption = False) -> None:
    """Ask every peer now to cosign this node's latest checkpoint (``accord serve`` asks every
    ACCORD_WITNESS_INTERVAL_SECONDS)."""
    with context.node() as node:
        done = node.witnesses().collect()
        cosigned = cosigned_checkpoints(node.database, node.log)
    if as_json:
        context.print_json(cosigned)
        return
    for item in done:
        context.out.print(f"{item.witness} cosigned size {item.size}", markup=False)
    if not done:
        context.out.print("No new cosignatures (peers unreachable, or already cosigned).")
