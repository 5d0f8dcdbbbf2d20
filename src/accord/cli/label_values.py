"""What every ``--label`` option takes, read the same way everywhere: a label file (STANAG 4774
XML, ESS BER, XEP-0258 or JSON, its encoding detected) when the value names one, otherwise a
US-style banner (``"SECRET//REL TO USA, PAK"``) read under the policy of the nation that writes
it."""

from __future__ import annotations

from pathlib import Path

import typer

from accord.cli import context
from accord.errors import InvalidInput, LabelError
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.label import Label
from accord.labels.reading import read_label
from accord.labels.security_policy import PolicySet, SecurityPolicy

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
            raise type(e)(f"label file {value}: {e.reason}") from None
    if value.lower().endswith(_DOCUMENT_SUFFIXES):
        raise InvalidInput(f"--label {value}: no such label file")
    try:
        return banner_to_label(parse_banner(value), banner_policy)
    except InvalidInput as e:
        raise LabelError(
            f"--label {value[:200]!r} is neither a label file nor a banner: {e.reason}"
        ) from None


#: The ``--label`` option's help, the same on every command that takes one.
LABEL_OPTION = typer.Option(
    "--label",
    metavar="BANNER|FILE",
    help='A banner such as "SECRET//REL TO USA, PAK" (read under the writing nation\'s policy) '
    "or a label file (STANAG 4774 XML, BER, XEP-0258 or JSON; see accord label make).",
)
