"""The public transfer cases shipped with Accord (``data/public-cases.yaml``)."""

from __future__ import annotations

import functools
from importlib import resources

from accord.agreements.document import parse_document
from accord.transfers.document import TransferRecord, transfers_from_dict

PUBLIC_CASES = "public-cases.yaml"
_LIMIT = 1024 * 1024


def public_cases_bytes() -> bytes:
    return resources.files("accord.transfers").joinpath("data", PUBLIC_CASES).read_bytes()


@functools.cache
def public_cases() -> TransferRecord:
    data, _ = parse_document(public_cases_bytes(), "yaml", limit=_LIMIT)
    return transfers_from_dict(data)
