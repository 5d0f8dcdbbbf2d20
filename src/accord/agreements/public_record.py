"""The public record shipped with Accord (``data/public-record.yaml``)."""

from __future__ import annotations

import functools
from importlib import resources

from accord.agreements.document import parse_document
from accord.agreements.record import register_from_dict
from accord.agreements.register import Register

PUBLIC_RECORD = "public-record.yaml"
_LIMIT = 1024 * 1024


def public_record_bytes() -> bytes:
    return resources.files("accord.agreements").joinpath("data", PUBLIC_RECORD).read_bytes()


@functools.cache
def public_record() -> Register:
    data, _ = parse_document(public_record_bytes(), "yaml", limit=_LIMIT)
    return register_from_dict(data)
