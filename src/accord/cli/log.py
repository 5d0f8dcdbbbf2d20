"""``accord log``: the node's transparency log: checkpoints, entries, proofs, verification."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli import context
from accord.cli.dates import FromOption, ToOption, range_of
from accord.errors import InvalidInput, StorageError, VerificationFailed
from accord.node.log import LogService
from accord.node.witnessing import check_cosigned
from accord.tlog import entries as log_entries
from accord.tlog.checkpoint import open_checkpoint
from accord.tlog.entries import EntryKind, LogEntry
from accord.tlog.merkle import leaf_hash
from accord.tlog.note import SIGNATURE_COSIGNATURE, VerifierKey
from accord.tlog.proofs import InclusionProof, verify_entry

app = typer.Typer(help="The transparency log: checkpoints, entries, proofs.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
MAX_INPUT = 1024 * 1024


@contextmanager
def _service() -> Iterator[LogService]:
    with context.node() as node:
        yield node.log


@app.command()
def checkpoint(
    key: Annotated[
        bool, typer.Option("--key", help="Print the log's verifier key instead.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Print the log's current checkpoint (a C2SP signed note), or its verifier key."""
    with _service() as service:
        if key:
            vkey = service.verifier_key().encode()
            if as_json:
                context.print_json({"verifier_key": vkey})
            else:
                sys.stdout.write(vkey + "\n")
            return
        current = service.checkpoint()
        origin = service.origin
    if as_json:
        context.print_json(
            {
                "origin": origin,
                "size": current.size,
                "root_hash": current.root_hash.hex(),
                "note": current.note,
            }
        )
    else:
        sys.stdout.write(current.note)


@app.command()
def show(
    index: Annotated[int, typer.Argument(help="The entry's index.")], as_json: JsonOption = False
) -> None:
    """Print an entry and its leaf hash."""
    with _service() as service:
        _, data = service.entry(index)
    if as_json:
        context.print_json(
            {"index": index, "entry": json.loads(data), "leaf_hash": leaf_hash(data).hex()}
        )
    else:
        sys.stdout.write(data.decode("utf-8") + "\n")


@app.command("list")
def list_entries(
    kind: Annotated[
        list[EntryKind] | None,
        typer.Option(
            "--kind", help="Only entries of this kind (repeatable).", case_sensitive=False
        ),
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="At most this many entries.")
    ] = 50,
    before: Annotated[
        int | None,
        typer.Option("--before", metavar="INDEX", min=0, help="Only entries below this index."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The log's newest entries, newest first: of a kind, written in a range of days."""
    span = range_of(start, end)
    with _service() as service:
        found = service.listing(
            kinds=[k.value for k in kind or []],
            start=span[0] if span else None,
            end=span[1] if span else None,
            limit=limit,
            before=before,
        )
    if as_json:
        context.print_json(
            [{"index": e.index, "kind": e.kind, "at": e.fields.get("at"), "entry": e.fields}
             for e in found]
        )  # fmt: skip
        return
    if not found:
        context.out.print("no entry matches", markup=False)
        return
    # 80 columns: the minute an entry was logged (--json has the second) and the summary
    # wrapped at words, so a 36-character message id in it stays whole.
    table = Table(box=None, pad_edge=False)
    table.add_column("index", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("at (UTC)", no_wrap=True)
    table.add_column("what", min_width=36)
    for entry in found:
        at = str(entry.fields.get("at", ""))
        table.add_row(str(entry.index), entry.kind, at[:16].replace("T", " "), entry.summary)
    context.out.print(table)
    if len(found) == limit:
        context.err.print(
            f"the newest {limit}; older ones: --before {found[-1].index}", markup=False
        )


@app.command()
def prove(
    index: Annotated[int, typer.Argument(help="The entry's index.")],
    size: Annotated[
        int | None, typer.Option("--size", help="Tree size (default: current).")
    ] = None,
    checkpoint_file: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            metavar="FILE",
            help="Prove against this checkpoint of this log (its size), as saved earlier with "
            "'accord log checkpoint': the proof then verifies against that file even after the "
            "log has grown.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the inclusion proof of an entry (RFC 9162 order)."""
    if size is not None and checkpoint_file is not None:
        raise InvalidInput("give at most one of --size and --checkpoint")
    with _service() as service:
        against = None
        if checkpoint_file is not None:
            note = context.read_file(checkpoint_file, MAX_INPUT, "checkpoint")
            try:
                against, _ = open_checkpoint(note, service.verifier_key())
            except VerificationFailed as e:
                raise InvalidInput(f"--checkpoint {checkpoint_file}: {e}") from None
            size = against.size
        proof = service.prove(index, size)
    if against is not None and proof.root_hash != against.root_hash:
        raise StorageError(
            f"the log's root at size {against.size} is not the one its checkpoint signed: "
            "the stored log has been altered"
        )
    if as_json:
        context.print_json(proof.to_dict())
        return
    for line in (
        f"index {proof.index}",
        f"size {proof.size}",
        f"leaf {proof.leaf_hash.hex()}",
        f"root {proof.root_hash.hex()}",
    ):
        sys.stdout.write(line + "\n")
    for value in proof.proof:
        sys.stdout.write(value.hex() + "\n")


@app.command()
def consistency(
    old: Annotated[int, typer.Argument(help="The older tree size.")],
    new: Annotated[int, typer.Argument(help="The newer tree size.")],
    as_json: JsonOption = False,
) -> None:
    """Print the consistency proof between two tree sizes."""
    with _service() as service:
        proof = service.consistency(old, new)
    if as_json:
        context.print_json(proof.to_dict())
        return
    sys.stdout.write(
        f"{proof.old_size} {proof.old_root.hex()}\n{proof.new_size} {proof.new_root.hex()}\n"
    )
    for value in proof.proof:
        sys.stdout.write(value.hex() + "\n")


def _entry_bytes(data: bytes) -> bytes:
    """The entry's canonical bytes, from the raw entry or from ``accord log show --json``."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("the entry file is not JSON") from None
    if isinstance(value, dict) and "entry" in value and "leaf_hash" in value:
        value = value["entry"]
    return log_entries.entry_from_dict(value).encode()


@app.command()
def verify(
    checkpoint_file: Annotated[Path, typer.Option("--checkpoint", help="The checkpoint note.")],
    key_file: Annotated[Path, typer.Option("--key", help="The log's verifier key (vkey).")],
    entry_file: Annotated[
        Path, typer.Option("--entry", help="The entry (raw, or 'log show --json').")
    ],
    proof_file: Annotated[Path, typer.Option("--proof", help="The proof ('log prove --json').")],
    cosigned_by: Annotated[
        list[Path] | None,
        typer.Option(
            "--cosigned-by",
            metavar="FILE",
            help="A witness's key (its cosignature vkey, the witness_key of 'accord witness "
            "--json'): the checkpoint must carry that witness's valid cosignature (repeatable).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Offline: is this entry in the log the checkpoint commits to (and did the named
    witnesses cosign that checkpoint)? Exit 0 if so, 5 if not."""
    try:
        key = VerifierKey.parse(context.read_file(key_file, MAX_INPUT, "key").decode("utf-8"))
        proof = InclusionProof.from_dict(
            json.loads(context.read_file(proof_file, MAX_INPUT, "proof"))
        )
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("the key is a text vkey and the proof JSON") from None
    entry = _entry_bytes(context.read_file(entry_file, MAX_INPUT, "entry"))
    witnesses = [_witness_key(path) for path in cosigned_by or []]
    note = context.read_file(checkpoint_file, MAX_INPUT, "checkpoint")
    try:
        checkpoint = verify_entry(note, key, entry, proof)
        for witness in witnesses:
            check_cosigned(note.decode("utf-8"), key, witness)
    except (VerificationFailed, UnicodeDecodeError) as e:
        if as_json:
            context.print_json({"verified": False, "reason": str(e)})
        raise VerificationFailed(f"NOT verified: {e}") from None
    if as_json:
        context.print_json(
            {
                "verified": True,
                "index": proof.index,
                "origin": checkpoint.origin,
                "size": checkpoint.size,
                "root_hash": checkpoint.root_hash.hex(),
                "cosigned_by": [w.name for w in witnesses],
            }
        )
        return
    sys.stdout.write(
        f"verified: entry {proof.index} is in {checkpoint.origin} at size {checkpoint.size}\n"
    )
    for witness in witnesses:
        sys.stdout.write(f"verified: cosigned by {witness.name}\n")


def _witness_key(path: Path) -> VerifierKey:
    try:
        key = VerifierKey.parse(context.read_file(path, MAX_INPUT, "witness key").decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"witness key {path}: not a text vkey") from None
    if key.signature_type != SIGNATURE_COSIGNATURE:
        raise InvalidInput(
            f"--cosigned-by {path}: not a witness's cosignature key (a log's key signs "
            "checkpoints; a witness's key cosigns them)"
        )
    return key


@app.command("append-test")
def append_test(
    count: Annotated[
        int, typer.Argument(help="How many synthetic entries to append.", min=1, max=10_000_000)
    ],
    batch: Annotated[int, typer.Option("--batch", min=1, max=100_000)] = 10_000,
) -> None:
    """Append N synthetic entries (for benchmarks and demonstrations)."""
    with _service() as service:
        start = service.size()
        with context.progress_bar("appending", count) as advance:
            done = 0
            while done < count:
                n = min(batch, count - done)
                entries = [LogEntry(EntryKind.TEST, {"n": start + done + i}) for i in range(n)]
                service.append(entries)
                done += n
                advance(n)
        context.out.print(
            f"appended {context.counted(count, 'entry', 'entries')}; the log now has "
            f"{service.size()}",
            markup=False,
        )
