"""``accord keys ...`` and ``accord seal|open|verify``: the node's keys and sealed envelopes."""

from __future__ import annotations

import getpass
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity
from accord.agreements.vocabulary import capability as capability_of
from accord.cli import context
from accord.cli.label_values import LABEL_OPTION, node_label
from accord.cli.policy import DENIED_EXIT
from accord.crypto.descriptor import (
    MAX_DESCRIPTOR_BYTES,
    NodeDescriptor,
    describe,
    parse_descriptor,
)
from accord.crypto.envelope import (
    EnvelopeError,
    Verified,
    open_envelope,
    verify,
)
from accord.crypto.keys import NodeKeys
from accord.crypto.wire import Limits, Reader
from accord.errors import InvalidInput, LabelError, StorageError
from accord.labels.checks import validate
from accord.labels.equivalence import translate
from accord.labels.json_form import label_from_dict
from accord.labels.marking import display_marking
from accord.labels.national import national_policy, shipped_policies
from accord.labels.reading import checked as checked_label
from accord.node import keys as key_files

keys_app = typer.Typer(help="The node's keys and its signed descriptor.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


class Kem(StrEnum):
    xwing = "xwing"
    x25519 = "x25519"


@keys_app.command()
def generate(
    nation: Annotated[str, typer.Option("--nation", help="The node's nation (ISO alpha-3).")],
    name: Annotated[
        str | None, typer.Option("--name", help="Node name (default: ACCORD_NODE_NAME).")
    ] = None,
    kem: Annotated[
        Kem, typer.Option("--kem", help="HPKE suite for receiving envelopes.")
    ] = Kem.xwing,
    mldsa: Annotated[bool, typer.Option("--mldsa", help="Also sign with ML-DSA-65.")] = False,
    lifetime_days: Annotated[
        int | None,
        typer.Option("--lifetime-days", min=1, max=3650, help="Keys expire after (default: none)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create the node's key set (refused if one exists: rotate instead)."""
    settings = context.settings()
    keys = NodeKeys.generate(
        name or settings.node_name,
        nation_code(nation),
        context.clock.now(),
        kem=kem.value,
        mldsa=mldsa,
        lifetime_days=lifetime_days,
    )
    path = key_files.save_key_set(settings, keys, new=True)
    protected = (
        "sealed under ACCORD_KEY_PASSPHRASE"
        if key_files.passphrase()
        else "not passphrase-protected"
    )
    if as_json:
        context.print_json(
            {
                "node": keys.node,
                "nation": keys.nation,
                "path": str(path),
                "passphrase_protected": key_files.passphrase() is not None,
                "keys": _key_rows(keys),
            }
        )
        return
    context.out.print(
        f"created {len(keys.keys)} keys for {keys.node} ({keys.nation}) in {path} ({protected})",
        markup=False,
    )


def _key_rows(keys: NodeKeys) -> list[dict[str, Any]]:
    return [
        {
            "id": k.id,
            "algorithm": k.algorithm,
            "use": "signing" if k.signs else "encryption",
            "status": k.status.value,
            "created": k.created,
            "not_after": k.not_after,
        }
        for k in keys.keys
    ]


@keys_app.command()
def show(as_json: JsonOption = False) -> None:
    """List the node's keys (public facts only)."""
    keys = key_files.load_key_set(context.settings())
    rows = _key_rows(keys)
    if as_json:
        context.print_json({"node": keys.node, "nation": keys.nation, "keys": rows})
        return
    # 80 columns: the 32-digit ids whole, the dates as days (--json has the instants).
    table = Table(
        box=None, pad_edge=False, title=f"{keys.node} ({keys.nation})", title_justify="left"
    )
    table.add_column("id", no_wrap=True, min_width=32)
    for column in ("algorithm", "use", "status", "created"):
        table.add_column(column, no_wrap=True)
    expiring = any(row["not_after"] for row in rows)
    if expiring:
        table.add_column("not after", no_wrap=True)
    for row in rows:
        cells = [row["id"], row["algorithm"], row["use"], row["status"], row["created"][:10]]
        table.add_row(*cells, *([(row["not_after"] or "")[:10]] if expiring else []))
    context.out.print(table)


def _update(change: str, key_id: str | None = None) -> None:
    settings = context.settings()
    if settings.uses_default_sqlite and not (settings.home_path / "accord.db").exists():
        # Keys without a node (sealing files by hand): no log to record the change in.
        key_files.change_key_set(settings, change, context.clock.now(), key_id)
    else:
        with context.node() as node:
            node.change_keys(change, by=_operator(), key_id=key_id)
    context.out.print(
        f"{change}: done; publish the new descriptor with 'accord keys descriptor'", markup=False
    )


@keys_app.command()
def rotate() -> None:
    """New keys for every active one; the old ones still open and verify what they protected."""
    _update("rotate")


@keys_app.command()
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (or its first 8+ characters).")],
) -> None:
    """Revoke a compromised key: nothing signed by it is accepted, nothing is opened with it."""
    _update("revoke", key_id)


@keys_app.command()
def retire(
    key_id: Annotated[str, typer.Argument(help="The key's id (or its first 8+ characters).")],
) -> None:
    """Retire a superseded key: its private half is erased."""
    _update("retire", key_id)


@keys_app.command()
def descriptor(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the node's signed descriptor, for partners to pin."""
    described = describe(key_files.load_key_set(context.settings()), context.clock.now())
    if output is not None:
        output.write_bytes(described.encode())
    else:
        sys.stdout.write(described.encode().decode())


@keys_app.command()
def pin(file: Annotated[Path, typer.Argument(help="A partner's descriptor.")]) -> None:
    """Pin a partner's descriptor (an update must be signed by a key already pinned)."""
    pinned, replaced = key_files.pin(
        context.settings(), context.read_file(file, MAX_DESCRIPTOR_BYTES, "descriptor")
    )
    verb = "updated" if replaced else "pinned"
    context.out.print(
        f"{verb} {pinned.node} ({pinned.nation}), {len(pinned.keys)} keys", markup=False
    )


# -- envelopes ---------------------------------------------------------------------------------


def _descriptor(path: Path) -> NodeDescriptor:
    return parse_descriptor(context.read_file(path, MAX_DESCRIPTOR_BYTES, "descriptor"))


def _sender(source: Path, given: Path | None) -> NodeDescriptor:
    """The sender's descriptor: the one given, or the pinned one for the node the envelope names
    (nothing is trusted from the envelope: the pinned descriptor then decides)."""
    if given is not None:
        return _descriptor(given)
    with _open_input(source) as handle:
        try:
            header = Reader(handle, Limits()).opening().header
            node = header["sender"]["node"]
        except (InvalidInput, KeyError, TypeError):
            raise EnvelopeError() from None
    if not isinstance(node, str):
        raise EnvelopeError()
    return key_files.pinned(context.settings(), node)


def _open_input(path: Path):  # type: ignore[no-untyped-def]
    try:
        return path.open("rb")
    except OSError as e:
        raise InvalidInput(f"{path}: cannot read: {e.strerror}") from None


def _check_label(checked: Verified) -> str:
    """Reading rule 9 (docs/envelope.md): the label is one this node can read and its policy
    finds valid; otherwise the envelope is refused like any other that fails a rule. Returns
    the label's display marking, under this node's national policy when the label translates
    to it (the reader's), else under the label's own."""
    policies = shipped_policies()
    try:
        label = checked_label(label_from_dict(checked.header.label), policies)
        policy = policies.by_id(label.policy_id)
        valid = validate(policy, label).valid
    except LabelError:
        valid = False
    if not valid:
        raise EnvelopeError()
    settings = context.settings()
    if key_files.key_set_path(settings).exists():
        reader = national_policy(key_files.load_key_set(settings).nation)
        try:
            return display_marking(reader, translate(label, policy, reader))
        except LabelError:
            pass  # no equivalent under the reader's policy: the originator's marking
    return display_marking(policy, label)


def _summary(checked: Verified) -> dict[str, Any]:
    header = checked.header.to_dict()
    return {
        "id": header["id"],
        "created": header["created"],
        "sender": header["sender"],
        "recipients": header["recipients"],
        "label": header["label"],
        "capability": header["capability"],
        "activity": header["activity"],
        "agreements": header["agreements"],
        "suite": header["suite"],
        "segments": checked.segments,
        "signed_by": list(checked.signer_keys),
    }


def _operator() -> str:
    """Who sealed, for the log: the local account running ``accord`` (the node's files are
    its credential)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        login = str(os.getuid())
    return f"local:{login}"


def seal_command(
    source: Annotated[Path, typer.Argument(help="The file to seal.")],
    target: Annotated[Path, typer.Argument(help="Where to write the envelope.")],
    to: Annotated[
        list[Path],
        typer.Option("--to", metavar="DESCRIPTOR", help="A recipient's descriptor (repeatable)."),
    ],
    label: Annotated[str, LABEL_OPTION],
    capability: Annotated[str, typer.Option("--capability", help="e.g. secure-communications.")],
    activity_name: Annotated[str, typer.Option("--activity", help="e.g. joint-exercises.")],
    skip_decision: Annotated[
        bool,
        typer.Option(
            "--unsafe-skip-decision",
            help="Seal even if the release decision refuses (warned, and logged as overridden).",
        ),
    ] = False,
    agreement: Annotated[
        list[str] | None,
        typer.Option(
            "--agreement", help="Authorising agreement id, only with --unsafe-skip-decision."
        ),
    ] = None,
    cbor: Annotated[
        bool, typer.Option("--cbor", help="Write deterministic CBOR instead of JSON.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Seal a file for a partner: decided as a release is, then encrypted to the recipients,
    the label bound to it, signed, and logged.

    Exit 0 when sealed, 3 when the release is refused (the reasons are printed and logged)."""
    capability_value = capability_of(capability).value
    activity_value = activity(activity_name).value
    recipients = [_descriptor(path) for path in to]
    with context.node() as node:
        read = node_label(label, node)
        validity = validate(node.engine.policies.by_id(read.policy_id), read)
        if not validity.valid:
            raise InvalidInput("the label is not valid: " + "; ".join(validity.reasons))
        with _open_input(source) as plain:
            result = node.sealing().seal(
                plain,
                lambda: _Atomic(target),
                recipients=recipients,
                label=read,
                capability=capability_value,
                activity=activity_value,
                operator=_operator(),
                skip_decision=skip_decision,
                agreements=agreement or (),
                cbor=cbor,
            )
    if result.overridden:
        context.err.print(
            f"warning: sealed against the release decision (--unsafe-skip-decision), "
            f"logged as overridden at entry {result.log_index}",
            markup=False,
        )
    if as_json:
        context.print_json(result.to_dict())
    else:
        for nation, decision in result.decisions.items():
            if not decision.permit or result.overridden:
                sys.stdout.write(f"to {nation}: {decision.explain()}\n")
    if result.sealed is None:
        context.err.print(f"refused: nothing sealed (log entry {result.log_index})", markup=False)
        raise typer.Exit(DENIED_EXIT)
    context.err.print(
        f"sealed {result.sealed.body_bytes} bytes as envelope {result.sealed.id} "
        f"({context.counted(result.sealed.segments, 'segment')}), log entry {result.log_index}",
        markup=False,
    )


def open_command(
    source: Annotated[Path, typer.Argument(help="The envelope.")],
    target: Annotated[Path, typer.Argument(help="Where to write the opened content.")],
    sender: Annotated[
        Path | None, typer.Option("--from", help="The sender's descriptor (default: pinned).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify an envelope against its sender's descriptor and open it with this node's keys
    (the marking is printed on stderr; --json: the envelope's facts and marking on stdout)."""
    settings = context.settings()
    descriptor = _sender(source, sender)
    keys = key_files.load_key_set(settings)
    with _open_input(source) as envelope, _Atomic(target) as sink:
        checked = open_envelope(envelope, sink, recipient=keys, sender=descriptor)
        marking = _check_label(checked)  # before the output is renamed into place
    if as_json:
        context.print_json({**_summary(checked), "marking": marking, "output": str(target)})
        return
    context.err.print(
        f"opened envelope {checked.header.id} from {descriptor.node}: {marking}", markup=False
    )


def verify_command(
    source: Annotated[Path, typer.Argument(help="The envelope.")],
    sender: Annotated[
        Path | None, typer.Option("--from", help="The sender's descriptor (default: pinned).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify an envelope's structure and signatures without opening it."""
    descriptor = _sender(source, sender)
    with _open_input(source) as envelope:
        checked = verify(envelope, descriptor)
    summary = {**_summary(checked), "marking": _check_label(checked)}
    if as_json:
        context.print_json(summary)
        return
    lines = [
        f"verified: envelope {summary['id']} from {descriptor.node}, created {summary['created']}",
        f"  marking {summary['marking']}",
        f"  capability {summary['capability']}, activity {summary['activity'] or '-'}",
        f"  agreements {', '.join(summary['agreements']) or '-'}",
        f"  recipients {', '.join(r['node'] for r in summary['recipients'])}",
        f"  {context.counted(summary['segments'], 'segment')}, "
        f"signed by {', '.join(summary['signed_by'])}",
    ]
    for line in lines:
        context.out.print(line, markup=False)


class _Atomic:
    """Write to ``<target>.partial``, rename onto ``target`` only on success, else delete."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = target.with_name(target.name + ".partial")

    def __enter__(self):  # type: ignore[no-untyped-def]
        try:
            self.handle = self.partial.open("wb")
        except OSError as e:
            raise StorageError(f"cannot write {self.target}: {e.strerror}") from None
        return self.handle

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.handle.close()
        if kind is None:
            os.replace(self.partial, self.target)
        else:
            self.partial.unlink(missing_ok=True)
