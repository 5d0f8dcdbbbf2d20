"""What every ``--label`` option takes, read the same way everywhere: a label file (STANAG 4774
XML, ESS BER, XEP-0258 or JSON, its encoding detected) when the value names one, otherwise a
US-style banner (``"SECRET//REL TO USA, PAK"``) read under the policy of the nation that writes
it, or a policy's display marking (``"SECRET - RELEASABLE TO PAK, USA"``)."""

from __future__ import annotations

from pathlib import Path

import typer

from accord.cli import context
from accord.errors import InvalidInput, LabelError
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.label import Label
from accord.labels.marking_reader import label_from_marking
from accord.labels.reading import NOT_A_LABEL_DOCUMENT, read_label
from accord.labels.security_policy import PolicySet, SecurityPolicy
from accord.node.labels import policy_of
from accord.node.services import NodeServices

#: A marking longer than this is not read as one (the banner's own limit is of the same order).
_MAX_MARKING = 1024

#: File name endings of label documents: a value ending so names a file, never a banner.
_DOCUMENT_SUFFIXES = (".xml", ".json", ".ber", ".der", ".bin")


def label_value(value: str, *, policies: PolicySet, banner_policy: SecurityPolicy) -> Label:
    """The label a ``--label`` value gives: the file it names, or the banner it is, read under
    ``banner_policy`` (the writing nation's). A value that is neither is refused with both
    reasons, in one line."""
    path = Path(value)
    if path.is_file():
        limit = context.settings().limits.label_bytes
        try:
            return read_label(context.read_file(path, limit, "label"), policies).label
        except InvalidInput as e:
            raise type(e)(f"label file {value}: {with_hint(e.reason)}") from None
    if value.lower().endswith(_DOCUMENT_SUFFIXES):
        raise InvalidInput(f"--label {value}: no such label file")
    try:
        return banner_to_label(parse_banner(value), banner_policy)
    except InvalidInput as e:
        reason = e.reason
    marked = _from_marking(value, policies, banner_policy)
    if marked is not None:
        return marked
    raise LabelError(
        f"--label {value[:200]!r} is neither a label file, a banner nor a policy's marking: "
        f"{reason}"
    )


def with_hint(reason: str) -> str:
    """A file that is no label document at all is most often a banner saved as text: say how
    to make it one."""
    if NOT_A_LABEL_DOCUMENT in reason:
        return f"{reason}; to make a label file from a banner or a marking: accord label make"
    return reason


def _from_marking(value: str, policies: PolicySet, writer: SecurityPolicy) -> Label | None:
    """The label a policy's display marking stands for: under the writing nation's policy
    first; else under another known policy when exactly one reads it (so "SECRET - RELEASABLE
    TO PAK, USA" is Pakistan's label, and an ambiguous marking is refused, not guessed)."""
    if len(value) > _MAX_MARKING:
        return None
    try:
        return label_from_marking(writer, value)
    except LabelError:
        pass
    found = []
    for policy in policies.policies:
        if policy.id == writer.id:
            continue
        try:
            found.append(label_from_marking(policy, value))
        except LabelError:
            continue
    return found[0] if len(found) == 1 else None


def node_label(value: str, node: NodeServices) -> Label:
    """A ``--label`` value on a node (``send``, ``seal``): a banner is read under the node's own
    national policy, since the releasing nation writes it."""
    return label_value(
        value, policies=node.engine.policies, banner_policy=policy_of(node.engine, node.keys.nation)
    )


#: The ``--label`` option's help, the same on every command that takes one.
LABEL_OPTION = typer.Option(
    "--label",
    metavar="LABEL",
    help='A banner such as "SECRET//REL TO USA, PAK" (read under the writing nation\'s policy), '
    'a policy\'s marking such as "SECRET - RELEASABLE TO PAK, USA", or a label file '
    "(STANAG 4774 XML, BER, XEP-0258 or JSON; see accord label make).",
)
