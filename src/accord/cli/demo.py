"""``accord demo``: three nations' nodes (USA, PAK, IND) as real processes on loopback, federating
over HTTP, replaying the public record with the nodes' clock set to each date.

The story of the seeds: a USA-PAK secure-communications message for a joint exercise in 2006
(delivered: the CISMOA of 2005 is in force), the same in 2021 (refused: the CISMOA lapsed in 2020)
and in September 2023 (delivered after the renewal); geospatial intelligence to PAK in 2023
(refused: no BECA) and to IND in 2019 (refused: BECA not yet signed) and 2021 (delivered); and a
message released in September 2020 while PAK's node is offline, still undelivered when the CISMOA
expires: held, then decided again and delivered once the agreement is renewed in 2023.

Every step's outcome is checked against what the public record implies; every receipt is
verified against the receiving node's pinned descriptor, and every delivered message is read back
by the receiving nation's officer. The exit status is 0 only if everything matched.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from accord.cli import context
from accord.config import Settings
from accord.crypto.descriptor import parse_descriptor
from accord.errors import AccordError, VerificationFailed
from accord.federation.receipts import verify_receipt
from accord.node.clocks import FileClock
from accord.node.cluster import ClusterError, ServedNode, terminate_as_interrupt
from accord.node.initialise import create_identity, initialise
from accord.node.services import NodeServices
from accord.node.witnessing import check_cosigned
from accord.tlog.note import VerifierKey
from accord.tlog.proofs import verify_entry

#: What the demo assumes where the public record is silent: operator data, marked as such.
ASSUMPTIONS = [
    "operator data: no PAK-USA classification provisions (GSOMIA) are in the public record, so "
    "the demo's messages to PAK are UNCLASSIFIED",
    "operator data: each node is accredited at its nation's highest level for what it receives",
    "operator data: the officers (alice, babar, indira) hold SECRET clearances",
]
SETTLED = {"delivered", "refused", "held"}
START = "2005-01-01"


@dataclass(frozen=True)
class Step:
    date: str
    to: str
    capability: str
    activity: str
    label: str
    text: str
    expected: str
    offline: bool = False  # the receiver is down when it is released
    lapses_on: str | None = None  # the clock moves here before the outcome is read


STEPS = [
    Step(
        "2006-06-01",
        "PAK",
        "secure-communications",
        "joint-exercises",
        "UNCLASSIFIED",
        "exercise starts at 0600",
        "delivered",
    ),
    Step(
        "2019-06-01",
        "IND",
        "geospatial-intelligence",
        "operations",
        "SECRET//REL TO USA, IND",
        "imagery of the exercise area",
        "refused",
    ),
    Step(
        "2020-09-15",
        "PAK",
        "secure-communications",
        "joint-exercises",
        "UNCLASSIFIED",
        "queued while PAK is offline",
        "held",
        offline=True,
        lapses_on="2020-11-15",
    ),
    Step(
        "2021-06-01",
        "PAK",
        "secure-communications",
        "joint-exercises",
        "UNCLASSIFIED",
        "exercise starts at 0600",
        "refused",
    ),
    Step(
        "2021-06-01",
        "IND",
        "geospatial-intelligence",
        "operations",
        "SECRET//REL TO USA, IND",
        "imagery of the exercise area",
        "delivered",
    ),
    Step(
        "2023-09-15",
        "PAK",
        "secure-communications",
        "joint-exercises",
        "UNCLASSIFIED",
        "exercise starts at 0600",
        "delivered",
    ),
    Step(
        "2023-09-20",
        "PAK",
        "geospatial-intelligence",
        "operations",
        "UNCLASSIFIED",
        "imagery of the exercise area",
        "refused",
    ),
]
NODES = {"USA": "usa.example", "PAK": "pak.example", "IND": "ind.example"}
OFFICERS = {"USA": "alice", "PAK": "babar", "IND": "indira"}


class DemoNode(ServedNode):
    """A demo node: its clock is the demo's clock file; its officer's token calls its API."""

    def __init__(self, root: Path, nation: str, clock_file: Path) -> None:
        super().__init__(
            root / nation.lower(),
            nation,
            NODES[nation],
            environment={
                "ACCORD_UNSAFE_CLOCK_FILE": str(clock_file),
                "ACCORD_DELIVERY_INTERVAL_SECONDS": "0.2",
            },
            quiet=True,
        )
        self.settings = Settings(home=self.home, database_url=None, unsafe_clock_file=clock_file)
        self.token = ""

    def api(self, method: str, path: str, token: str = "", **kwargs: Any) -> httpx.Response:
        return super().api(method, path, token or self.token, **kwargs)


@contextmanager
def _services(node: DemoNode, clock: FileClock) -> Iterator[NodeServices]:
    services = NodeServices.open(node.settings, clock)
    try:
        yield services
    finally:
        services.close()


@contextmanager
def _nodes(
    root: Path, clock_file: Path, progress: Callable[[str], None]
) -> Iterator[dict[str, DemoNode]]:
    nodes = {n: DemoNode(root, n, clock_file) for n in NODES}
    clock = FileClock(clock_file)
    # Prepared in this process (as accord init and accord peers add would: the same functions),
    # which spares a second of interpreter start-up per command; then served as real processes.
    for node in nodes.values():
        progress(f"preparing {node.name} ({node.nation}): its database, register and keys")
        initialise(node.settings, clock)
        create_identity(node.settings, node.nation, node.name, clock)
    pairs = [(nodes["USA"], nodes["PAK"]), (nodes["USA"], nodes["IND"])]
    for first, second in pairs:
        for here, there in ((first, second), (second, first)):
            with _services(here, clock) as services:
                services.peers().add((there.home / "descriptor.json").read_bytes(), there.url)
    for node in nodes.values():
        with _services(node, clock) as services:
            officer = OFFICERS[node.nation]
            services.users.add(officer, "officer", "SECRET", [])
            node.token = services.users.create_token(
                officer, lifetime=dt.timedelta(days=366 * 30)
            ).token
    progress("peered; starting the three nodes (accord serve)")
    with ExitStack() as started:
        for node in nodes.values():
            node.start()
            started.callback(node.stop)
            progress(f"started {node.name} at {node.url}")
        progress("serving: " + ", ".join(f"{n.name} at {n.url}" for n in nodes.values()))
        yield nodes


def _wait(usa: DemoNode, message: str, settled: set[str], timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        view: dict[str, Any] = usa.api("GET", f"/v1/outbox/{message}").json()
        if view.get("status") in settled:
            return view
        if time.monotonic() > deadline:
            return view
        time.sleep(0.1)


def _verified(nodes: dict[str, DemoNode], view: dict[str, Any], to: str, text: str) -> bool:
    """The receipt is the receiver's signed word about the envelope the sender keeps, and the
    receiver's officer reads back exactly what was sent."""
    usa = nodes["USA"]
    services = NodeServices.open(usa.settings, FileClock(usa.settings.unsafe_clock_file))  # type: ignore[arg-type]
    try:
        envelope = services.messaging().envelope(str(view["id"]))
    finally:
        services.close()
    receiver = nodes[to]
    descriptor = parse_descriptor((receiver.home / "descriptor.json").read_bytes())
    try:
        verify_receipt(
            view.get("receipt"),
            receiver=descriptor,
            envelope_id=str(view["id"]),
            envelope=envelope,
        )
    except VerificationFailed:
        return False
    content = receiver.api("GET", f"/v1/messages/{view['id']}/content")
    return content.status_code == 200 and content.content.decode() == text


def _run_step(
    nodes: dict[str, DemoNode], step: Step, clock_file: Path
) -> tuple[dict[str, Any], str | None]:
    """One step's outcome, and the id of a message left held (decided again later)."""
    clock_file.write_text(step.date)
    usa, receiver = nodes["USA"], nodes[step.to]
    if step.offline:
        receiver.stop()
    body = {
        "recipient": step.to,
        "label": {"banner": step.label},
        "capability": step.capability,
        "activity": step.activity,
        "text": step.text,
    }
    answer = usa.api("POST", "/v1/messages", json=body)
    row: dict[str, Any] = {
        "date": step.date,
        "from": "USA",
        "to": step.to,
        "capability": step.capability,
        "activity": step.activity,
        "label": step.label,
        "expected": step.expected,
        "verified": None,
    }
    held = None
    if answer.status_code == 403 and answer.json().get("error") == "release-denied":
        failed = [r["message"] for r in answer.json()["reasons"] if r["outcome"] == "failed"]
        row |= {"outcome": "refused", "reason": "; ".join(failed), "message": None}
        row["log_index"] = answer.json().get("log_index")  # the refusal is logged too
    elif answer.status_code != 201:
        raise ClusterError(f"release on {step.date}: {answer.status_code} {answer.text[:300]}")
    else:
        message = str(answer.json()["id"])
        row["message"] = message
        row["log_index"] = int(answer.json()["log_index"])
        if step.offline:
            _wait(usa, message, set(), timeout=3.0)  # let a delivery attempt fail
        if step.lapses_on:
            clock_file.write_text(step.lapses_on)
            row["date"] = f"{step.date} -> {step.lapses_on}"
        view = _wait(usa, message, SETTLED)
        outcome = str(view.get("status"))
        row |= {"outcome": outcome, "reason": view.get("reason") or ""}
        if outcome == "delivered":
            row["verified"] = _verified(nodes, view, step.to, step.text)
            row["reason"] = (
                f"receipt from {NODES[step.to]} (log index {view['receipt']['log_index']})"
            )
        if outcome == "held":
            held = message
    if step.offline:
        receiver.start()
    return row, held


def _redelivered(nodes: dict[str, DemoNode], message: str, text: str) -> dict[str, Any]:
    view = _wait(nodes["USA"], message, {"delivered", "refused"})
    outcome = str(view.get("status"))
    row: dict[str, Any] = {
        "log_index": None,
        "date": "2023-09-15",
        "from": "USA",
        "to": "PAK",
        "capability": "secure-communications",
        "activity": "joint-exercises",
        "label": "UNCLASSIFIED",
        "message": message,
        "expected": "delivered",
        "outcome": outcome,
        "reason": "held since 2020; decided again after the renewal",
        "verified": _verified(nodes, view, "PAK", text) if outcome == "delivered" else None,
    }
    return row


def _witnessed(usa: DemoNode, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """USA asks PAK and IND to cosign its log; each cosigned checkpoint is checked (the log's
    signature and the witness's cosignature), and every release USA logged is proved to be in
    it (RFC 9162 inclusion proofs)."""
    cosigned = json.loads(usa.cli("witness", "--json"))
    services = NodeServices.open(usa.settings, FileClock(usa.settings.unsafe_clock_file))  # type: ignore[arg-type]
    try:
        log_key = services.log.verifier_key()
        results = []
        for item in cosigned:
            try:
                checkpoint = check_cosigned(
                    item["note"], log_key, VerifierKey.parse(item["witness_key"])
                )
                proved = 0
                for row in steps:
                    if row.get("log_index") is None or row["log_index"] >= checkpoint.size:
                        continue
                    proof = services.log.prove(row["log_index"], checkpoint.size)
                    _, entry = services.log.entry(row["log_index"])
                    verify_entry(item["note"], log_key, entry, proof)
                    proved += 1
                results.append(
                    {
                        "witness": item["witness"],
                        "size": checkpoint.size,
                        "verified": True,
                        "inclusion_proofs": proved,
                    }
                )
            except AccordError as error:
                results.append({"witness": item["witness"], "verified": False, "why": str(error)})
        return results
    finally:
        services.close()


def told_lines() -> int:
    """How many lines :func:`run_demo` tells its ``progress``: 3 nodes prepared, peered, 3
    started, serving, each step, each held message's re-delivery, the witnessing."""
    return 3 + 1 + 3 + 1 + len(STEPS) + sum(1 for s in STEPS if s.expected == "held") + 1


def _said(row: dict[str, Any]) -> str:
    return f"{row['date']}: USA -> {row['to']} {row['capability']}: {row['outcome']}"


def run_demo(progress: Callable[[str], None] = lambda _line: None) -> dict[str, Any]:
    """The demonstration; ``progress`` is told each step as it happens (the nodes starting,
    each release's outcome, the witnessing)."""
    with tempfile.TemporaryDirectory(prefix="accord-demo-") as directory:
        root = Path(directory)
        clock_file = root / "clock"
        clock_file.write_text(START)
        steps: list[dict[str, Any]] = []
        with _nodes(root, clock_file, progress) as nodes:
            held: list[tuple[str, str]] = []
            for step in STEPS:
                row, left = _run_step(nodes, step, clock_file)
                steps.append(row)
                progress(_said(row))
                if left:
                    held.append((left, step.text))
                if step.date.startswith("2023") and held:
                    for message, text in held:
                        steps.append(_redelivered(nodes, message, text))
                        progress(_said(steps[-1]))
                    held = []
            progress("PAK and IND witness USA's log")
            cosigned = _witnessed(nodes["USA"], steps)
    for row in steps:
        row["matched"] = row["outcome"] == row["expected"] and row["verified"] is not False
    return {
        "steps": steps,
        "assumptions": ASSUMPTIONS,
        "receipts_verified": sum(1 for r in steps if r["verified"]),
        "cosigned_checkpoints": cosigned,
        "ok": all(r["matched"] for r in steps)
        and {c["witness"] for c in cosigned if c["verified"]} == {NODES["PAK"], NODES["IND"]},
    }


def demo(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Three nations' nodes replay the public record: what was delivered, refused or held, and
    why. Exits 0 only if every outcome matched the record and every receipt verified."""
    # A terminated demo stops its nodes as an interrupted one.
    with terminate_as_interrupt(), _told() as progress:
        result = run_demo(progress)
    if as_json:
        context.print_json(result)
    else:
        _print_report(result)
    if not result["ok"]:
        raise typer.Exit(1)


@contextmanager
def _told() -> Iterator[Callable[[str], None]]:
    """Each step on stderr as it happens (the demo takes a quarter of a minute, and stdout is the
    report), above a progress bar when stderr is a terminal."""
    err = context.err
    if not err.is_terminal:
        yield lambda line: err.print(f"  {line}", markup=False, highlight=False)
        return
    columns = (TextColumn("accord demo"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("demo", total=told_lines())

        def tell(line: str) -> None:
            bar.console.print(f"  {line}", markup=False, highlight=False)
            bar.advance(task)

        yield tell


def _print_report(result: dict[str, Any]) -> None:
    """One line per step (date, recipient, capability, outcome, whether it matched the record)
    and its reason wrapped below it, so the report reads in 80 columns without breaking words."""
    out = context.out
    steps = result["steps"]
    dates = max(len(r["date"]) for r in steps)
    capabilities = max(len(r["capability"]) for r in steps)
    out.print("Accord: USA, PAK and IND nodes replay the public record", style="bold")
    out.print(
        f"{'date':<{dates}}  to   {'capability':<{capabilities}}  {'outcome':<9}  matched",
        style="bold",
        markup=False,
    )
    for row in steps:
        line = Text(
            f"{row['date']:<{dates}}  {row['to']:<3}  {row['capability']:<{capabilities}}  "
        )
        style = {"delivered": "green", "refused": "red", "held": "yellow"}.get(row["outcome"], "")
        line.append(f"{row['outcome']:<9}", style=style)
        line.append("  yes" if row["matched"] else "  NO")
        out.print(line)
        _print_wrapped(row["reason"], "    ")
    for assumption in result["assumptions"]:
        _print_wrapped(f"assumed ({assumption})", "  ")
    verdict = "everything matched" if result["ok"] else "SOMETHING DID NOT MATCH"
    for item in result["cosigned_checkpoints"]:
        if item["verified"]:
            _print_wrapped(
                f"{item['witness']} cosigned USA's log at size {item['size']}: verified, with "
                f"inclusion proofs of USA's {item['inclusion_proofs']} release decisions",
                "  ",
            )
        else:
            _print_wrapped(f"{item['witness']}: NOT verified: {item['why']}", "  ")
    _print_wrapped(f"{result['receipts_verified']} signed receipts verified; {verdict}.", "")


def _print_wrapped(text: str, indent: str) -> None:
    """``text`` wrapped at words to the terminal's width (stdout does not wrap: soft_wrap)."""
    width = max(40, context.out.width)
    for line in textwrap.wrap(
        text, width=width, initial_indent=indent, subsequent_indent=indent + "  "
    ):
        context.out.print(line, markup=False, highlight=False)
