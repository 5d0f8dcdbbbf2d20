"""Key sets, descriptors and envelopes for the crypto tests."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from accord.crypto.descriptor import NodeDescriptor, describe, parse_descriptor
from accord.crypto.envelope import Release, open_envelope, recipients_of, seal
from accord.crypto.keys import NodeKeys

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
RELEASE = Release(
    label={"policy": "2.25.1", "classification": 4, "categories": []},
    capability="secure-communications",
    activity="joint-exercises",
    agreements=("pak-usa-cismoa",),
)


@dataclass
class Node:
    keys: NodeKeys

    @property
    def descriptor(self) -> NodeDescriptor:
        return parse_descriptor(describe(self.keys, NOW).encode())


def node(name: str, nation: str = "USA", *, kem: str = "xwing", mldsa: bool = False) -> Node:
    return Node(NodeKeys.generate(name, nation, NOW, kem=kem, mldsa=mldsa))


def sealed(
    sender: Node,
    receivers: list[Node],
    body: bytes,
    *,
    cbor: bool = False,
    segment_size: int = 1024,
    release: Release = RELEASE,
) -> bytes:
    out = io.BytesIO()
    recipients = [r for receiver in receivers for r in recipients_of(receiver.descriptor)]
    seal(
        io.BytesIO(body),
        out,
        sender=sender.keys,
        recipients=recipients,
        release=release,
        now=NOW,
        cbor=cbor,
        segment_size=segment_size,
    )
    return out.getvalue()


def opened(envelope: bytes, receiver: Node, sender: Node) -> bytes:
    out = io.BytesIO()
    open_envelope(io.BytesIO(envelope), out, recipient=receiver.keys, sender=sender.descriptor)
    return out.getvalue()
