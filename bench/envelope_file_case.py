"""Seal and open a file, file to file, and print the peak memory above this process's baseline
(MiB, from /proc/self/status). Run by bench/envelope.py in a fresh process."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import Release, open_envelope, recipients_of, seal
from accord.crypto.keys import NodeKeys


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def main() -> None:
    directory = Path(sys.argv[1])
    now = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
    usa = NodeKeys.generate("usa.example", "USA", now)
    pak = NodeKeys.generate("pak.example", "PAK", now)
    usa_descriptor = parse_descriptor(describe(usa, now).encode())
    pak_descriptor = parse_descriptor(describe(pak, now).encode())
    release = Release(
        label={"policy": "2.25.1", "classification": 4, "categories": []}, capability="x"
    )
    baseline = _status("VmRSS")
    with open(directory / "plain", "rb") as source, open(directory / "sealed", "wb") as sink:
        recipients = recipients_of(pak_descriptor)
        seal(source, sink, sender=usa, recipients=recipients, release=release, now=now)
    with open(directory / "sealed", "rb") as source, open(directory / "opened", "wb") as sink:
        open_envelope(source, sink, recipient=pak, sender=usa_descriptor)
    print((_status("VmHWM") - baseline) / 1024)


if __name__ == "__main__":
    main()
