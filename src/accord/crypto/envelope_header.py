"""An envelope's header as a typed value (docs/envelope.md, "Header"), built once the header has
passed every reading rule (``envelope._check_header``); ``to_dict`` gives back exactly the JSON
header that was signed, so ``EnvelopeHeader.from_dict(h.to_dict()) == h``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accord.crypto.timestamps import format_time, parse_time
from accord.errors import InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderRecipient:
    node: str
    key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeHeader:
    id: str
    created: dt.datetime
    sender_node: str
    sender_nation: str
    #: The ids of the keys that sign the envelope, one signature each.
    sender_keys: tuple[str, ...]
    #: The label as the sender's policy states it (its JSON form).
    label: dict[str, Any]
    capability: str
    activity: str | None
    agreements: tuple[str, ...]
    suite: str
    segment_size: int
    recipients: tuple[HeaderRecipient, ...]
    version: int = 1

    def addressed_to(self, node: str) -> bool:
        return any(r.node == node for r in self.recipients)

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": self.version,
            "id": self.id,
            "created": format_time(self.created),
            "sender": {
                "node": self.sender_node,
                "nation": self.sender_nation,
                "keys": list(self.sender_keys),
            },
            "label": self.label,
            "capability": self.capability,
            "activity": self.activity,
            "agreements": list(self.agreements),
            "suite": self.suite,
            "segment_size": self.segment_size,
            "recipients": [{"node": r.node, "key": r.key} for r in self.recipients],
        }

    @classmethod
    def from_dict(cls, header: dict[str, Any]) -> EnvelopeHeader:
        """A header already checked field by field (``envelope.verify`` does; InvalidInput if
        its shape is not a header's)."""
        try:
            sender = header["sender"]
            return cls(
                version=int(header["v"]),
                id=str(header["id"]),
                created=parse_time(header["created"], "created"),
                sender_node=str(sender["node"]),
                sender_nation=str(sender["nation"]),
                sender_keys=tuple(str(k) for k in sender["keys"]),
                label=dict(header["label"]),
                capability=str(header["capability"]),
                activity=None if header["activity"] is None else str(header["activity"]),
                agreements=tuple(str(a) for a in header["agreements"]),
                suite=str(header["suite"]),
                segment_size=int(header["segment_size"]),
                recipients=tuple(
                    HeaderRecipient(node=str(r["node"]), key=str(r["key"]))
                    for r in header["recipients"]
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(f"not an envelope header: {type(error).__name__}") from None
