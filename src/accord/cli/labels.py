"""``accord label``: security policies, labels and clearances, markings, checks, US banners."""

from __future__ import annotations

import base64
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.cli import context
from accord.cli.label_values import with_hint
from accord.errors import InvalidInput, LabelError
from accord.labels import ess_ber, json_form, spiffing_xml, stanag4774, xep0258
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.checks import acdf, validate
from accord.labels.equivalence import translate
from accord.labels.label import Label
from accord.labels.marking import clearance_marking, display_marking
from accord.labels.marking_reader import label_from_marking
from accord.labels.national import shipped_policies
from accord.labels.reading import is_clearance, read_clearance, read_label
from accord.labels.security_policy import PolicySet, SecurityPolicy
from accord.labels.spif import load_policy
from accord.labels.xmlsafe import STRICT, UnsafeTolerance, XmlDefect

app = typer.Typer(
    help="Security labels: policies (XML-SPIF), markings, validity and ACDF, US banners.",
    no_args_is_help=True,
)

SpifOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--spif",
        help="An XML-SPIF policy to load (repeatable). Accord's USA, PAK, IND and NATO "
        "policies are always loaded; a file with the same policy id replaces them.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
LenientOption = Annotated[
    bool,
    typer.Option(
        "--unsafe-lenient-xml",
        help="Tolerate two known defects of older tools' files (a mismatched end-tag name, an "
        "invalid namespace prefix declaration), with a warning. Never for untrusted input.",
    ),
]


def _tolerance(lenient: bool) -> UnsafeTolerance:
    if not lenient:
        return STRICT
    return frozenset({XmlDefect.MISMATCHED_END_TAG, XmlDefect.INVALID_NAMESPACE_PREFIX})


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        context.err.print(f"warning: {warning}", markup=False)


def _load(path: Path, lenient: bool) -> SecurityPolicy:
    limit = context.settings().limits.policy_bytes
    try:
        loaded = load_policy(
            context.read_file(path, limit), limit=limit, unsafe_tolerate=_tolerance(lenient)
        )
    except InvalidInput as e:
        raise type(e)(f"{path}: {e.reason}") from None
    _warn(loaded.warnings)
    return loaded.policy


def _policies(spifs: list[Path] | None, lenient: bool) -> PolicySet:
    policies = shipped_policies()
    for path in spifs or []:
        policies = policies.with_policy(_load(path, lenient))
    return policies


def _label(path: Path, policies: PolicySet, lenient: bool) -> Label:
    limit = context.settings().limits.label_bytes
    try:
        read = read_label(
            context.read_file(path, limit),
            policies,
            limit=limit,
            unsafe_tolerate=_tolerance(lenient),
        )
    except InvalidInput as e:
        raise type(e)(f"{path}: {with_hint(e.reason)}") from None
    _warn(read.warnings)
    return read.label


@app.command()
def marking(
    file: Annotated[
        Path,
        typer.Argument(
            help="A label or clearance (STANAG 4774 XML, spiffing XML, BER, XEP-0258 or JSON)."
        ),
    ],
    spif: SpifOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Language tag of the marking.")] = "",
    to_policy: Annotated[
        str | None,
        typer.Option(
            "--to-policy", help="Mark the equivalent label under this policy (id or name)."
        ),
    ] = None,
    as_json: JsonOption = False,
    lenient: LenientOption = False,
) -> None:
    """Print the display marking of a label or clearance on one line."""
    policies = _policies(spif, lenient)
    limit = context.settings().limits.label_bytes
    data = context.read_file(file, limit)
    if is_clearance(data):
        if to_policy:
            raise InvalidInput("--to-policy translates labels, not clearances")
        clearance = read_clearance(data, policies, limit=limit, unsafe_tolerate=_tolerance(lenient))
        policy = policies.by_id(clearance.policy_id)
        text = clearance_marking(policy, clearance, language=lang)
    else:
        label = _label(file, policies, lenient)
        policy = policies.by_id(label.policy_id)
        if to_policy:
            target = policies.resolve(to_policy)
            label, policy = translate(label, policy, target), target
        text = display_marking(policy, label, language=lang)
    if as_json:
        context.print_json({"marking": text, "policy": policy.id, "policy_name": policy.name})
    else:
        sys.stdout.write(text + "\n")


def _summary(policy: SecurityPolicy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "classifications": [
            {"name": c.name, "lacv": c.lacv, "hierarchy": c.hierarchy, "obsolete": c.obsolete}
            for c in policy.by_hierarchy()
        ],
        "tag_sets": [
            {
                "id": tag_set.id,
                "name": tag_set.name,
                "tags": [
                    {
                        "name": tag.name,
                        "type": tag.tag_type.value,
                        "categories": len(tag.categories),
                    }
                    for tag in tag_set.tags
                ],
            }
            for tag_set in policy.tag_sets
        ],
        "equivalent_policies": dict(policy.equivalent_policies),
    }


@app.command()
def policy(
    spif_file: Annotated[Path, typer.Argument(help="An XML-SPIF 2.1 policy file.")],
    as_json: JsonOption = False,
    lenient: LenientOption = False,
) -> None:
    """Load a policy and summarise it, or fail with the reason it is broken."""
    summary = _summary(_load(spif_file, lenient))
    if as_json:
        context.print_json(summary)
        return
    context.out.print(f"[bold]{summary['name']}[/] ({summary['id']})")
    classes = " < ".join(c["name"] for c in summary["classifications"])
    context.out.print(f"classifications: {classes}", markup=False)
    table = Table("tag set", "id", "tags")
    for tag_set in summary["tag_sets"]:
        tags = ", ".join(f"{t['name']} ({t['type']}, {t['categories']})" for t in tag_set["tags"])
        table.add_row(tag_set["name"], tag_set["id"], tags)
    context.out.print(table)
    if summary["equivalent_policies"]:
        pairs = ", ".join(f"{n} ({i})" for n, i in summary["equivalent_policies"].items())
        context.out.print(f"equivalent policies: {pairs}", markup=False)


@app.command()
def check(
    label_file: Annotated[Path, typer.Argument(help="The label to check.")],
    spif: SpifOption = None,
    clearance: Annotated[
        Path | None, typer.Option("--clearance", help="Also decide access for this clearance.")
    ] = None,
    as_json: JsonOption = False,
    lenient: LenientOption = False,
) -> None:
    """Is the label valid under its policy (and may the clearance see it)? Exit 0 if valid (and
    granted), 1 if not."""
    policies = _policies(spif, lenient)
    label = _label(label_file, policies, lenient)
    policy = policies.by_id(label.policy_id)
    validity = validate(policy, label)
    result: dict[str, Any] = {"valid": validity.valid, "reasons": list(validity.reasons)}
    granted = True
    if clearance is not None:
        limit = context.settings().limits.label_bytes
        held = read_clearance(
            context.read_file(clearance, limit),
            policies,
            limit=limit,
            unsafe_tolerate=_tolerance(lenient),
        )
        held_policy = policies.by_id(held.policy_id)
        decided, translated = label, False
        if held.policy_id != label.policy_id and validity.valid:
            # The clearance is under another policy: decide on the label's equivalent there
            # (XML-SPIF equivalences, as spiffing does), never on a label it cannot read.
            try:
                decided, translated = translate(label, policy, held_policy), True
            except LabelError as e:
                result["translation_error"] = e.reason
        decision = acdf(held_policy, decided, held)
        result["acdf"] = decision.word
        result["acdf_reason"] = decision.reason
        if translated:
            result["translated_to"] = held_policy.name
            result["translated_marking"] = display_marking(held_policy, decided)
        granted = decision.granted
    if as_json:
        context.print_json(result)
    else:
        context.out.print("valid" if validity.valid else "invalid", markup=False)
        for reason in validity.reasons:
            context.out.print(f"  - {reason}", markup=False)
        if "translated_to" in result:
            context.out.print(
                f"translated to policy {result['translated_to']}: {result['translated_marking']}",
                markup=False,
            )
        if "translation_error" in result:
            context.out.print(f"no equivalent: {result['translation_error']}", markup=False)
        if "acdf" in result:
            context.out.print(f"acdf: {result['acdf']} ({result['acdf_reason']})", markup=False)
    if not (validity.valid and granted):
        raise typer.Exit(1)


@app.command()
def parse(
    banner: Annotated[
        str, typer.Argument(help='A US banner line, e.g. "SECRET//REL TO USA, PAK".')
    ],
    as_json: JsonOption = False,
) -> None:
    """Parse a US classification banner and print its canonical form."""
    parsed = parse_banner(banner)
    if as_json:
        context.print_json(parsed.to_dict())
    else:
        sys.stdout.write(parsed.render() + "\n")


class Encoding(StrEnum):
    json = "json"
    stanag_4774 = "stanag-4774"
    ber = "ber"
    xep_0258 = "xep-0258"
    spiffing_xml = "spiffing-xml"


CreatedOption = Annotated[
    str | None,
    typer.Option("--created", help="CreationDateTime for STANAG 4774 (default: now, UTC)."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to this file.")
]


def _write(
    label: Label, policies: PolicySet, to: Encoding, created: str | None, output: Path | None
) -> None:
    """``label`` in the encoding ``to``, to ``output`` or standard output."""
    policy = policies.by_id(label.policy_id)
    data: bytes
    if to is Encoding.json:
        data = (json.dumps(json_form.label_to_dict(label), indent=2) + "\n").encode()
    elif to is Encoding.stanag_4774:
        when = created or label.created or context.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        data = stanag4774.write_label(label, policy, created=when) + b"\n"
    elif to is Encoding.ber:
        data = ess_ber.encode_label(label, policy)
    elif to is Encoding.xep_0258:
        data = xep0258.write(label, policies) + b"\n"
    else:
        data = spiffing_xml.write_label(label) + b"\n"
    if output is not None:
        output.write_bytes(data)
    elif to is Encoding.ber:
        if sys.stdout.isatty():
            raise LabelError(
                "BER is binary: give --output FILE (or pipe it); base64: "
                + base64.b64encode(data).decode()
            )
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode("utf-8"))


@app.command()
def convert(
    file: Annotated[Path, typer.Argument(help="A label in any supported encoding.")],
    to: Annotated[Encoding, typer.Option("--to", help="The encoding to write.")],
    spif: SpifOption = None,
    created: CreatedOption = None,
    output: OutputOption = None,
    lenient: LenientOption = False,
) -> None:
    """Re-encode a label (STANAG 4774 XML, BER, XEP-0258, JSON, spiffing XML)."""
    policies = _policies(spif, lenient)
    _write(_label(file, policies, lenient), policies, to, created, output)


@app.command()
def make(
    banner: Annotated[
        str,
        typer.Argument(
            metavar="BANNER",
            help='A banner, e.g. "SECRET//REL TO USA, PAK", or the policy\'s marking, e.g. '
            '"NATO SECRET".',
        ),
    ],
    to: Annotated[Encoding, typer.Option("--to", help="The encoding to write.")],
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            metavar="NATION",
            help="The nation whose policy the banner is read under (USA, PAK, IND or NATO).",
        ),
    ] = "USA",
    created: CreatedOption = None,
    output: OutputOption = None,
) -> None:
    """Write the label a banner (or a policy's marking) stands for, as a file any --label
    option takes."""
    policies = shipped_policies()
    by_name = {p.name: p for p in policies}
    chosen = by_name.get(policy.upper())
    if chosen is None:
        raise InvalidInput(
            f"--policy {policy[:40]!r}: expected one of {', '.join(sorted(by_name))}"
        )
    try:
        label = banner_to_label(parse_banner(banner), chosen)
    except InvalidInput as e:
        try:  # a display marking of the chosen policy ("NATO SECRET", "SECRET - RELEASABLE TO")
            label = label_from_marking(chosen, banner)
        except LabelError:
            raise LabelError(
                f"{banner[:200]!r} is neither a banner nor a marking of {chosen.name}: {e.reason}"
            ) from None
    _write(label, policies, to, created, output)
