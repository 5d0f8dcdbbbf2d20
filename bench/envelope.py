"""Benchmark: sealing and opening envelopes against the cryptographic floor, in one run.

The floor is what any design of this kind must do per message, with raw ``cryptography`` calls:
an HPKE single-shot wrap of a 32-byte body key per recipient, AES-256-GCM over the body in one
call, a SHA-256 of the ciphertext signed with Ed25519; and to open, the same hash verified, one
HPKE unwrap and the AES-256-GCM decryption. Accord does all of that plus the header, the label
binding, segmentation, canonical encoding, framing and the checks.

Rounds of Accord and of the floor alternate, and each figure is the median over rounds, so the
machine's background noise affects both alike. Also seals and opens a 64 MiB file, file to file,
in a fresh process, and reports its peak memory above that process's baseline.

Both wire encodings are measured. The summary's ``ratio_1k`` and ``ratio_1m`` are for the CBOR
encoding (the binary framing nodes use between themselves); the JSON encoding carries the body
in base64, whose cost on large bodies is reported beside them (``ratio_1m_json``).

Last line: one JSON object with ``ratio_1k`` and ``ratio_1m`` (Accord / floor, messages per
second, 1 recipient, X-Wing) and ``peak_mib_64m``. Goals: ratio_1k >= 0.8, ratio_1m >= 0.9,
peak memory under 32 MiB. Run: ``.venv/bin/python bench/envelope.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from accord.crypto import _hazmat
from accord.crypto.descriptor import describe, parse_descriptor
from accord.crypto.envelope import Recipient, Release, open_envelope, recipients_of, seal
from accord.crypto.keys import NodeKeys

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
LABEL = {
    "policy": "2.25.194492778883838726989485988619520758117",
    "classification": 4,
    "categories": [
        {
            "tag_set": "2.25.194492778883838726989485988619520758117.1",
            "type": "enumeratedPermissive",
            "lacv": 840,
        },
        {
            "tag_set": "2.25.194492778883838726989485988619520758117.1",
            "type": "enumeratedPermissive",
            "lacv": 586,
        },
    ],
}
RELEASE = Release(
    label=LABEL,
    capability="secure-communications",
    activity="joint-exercises",
    agreements=("pak-usa-cismoa",),
)


class Party:
    def __init__(self, suite: str, recipients: int, *, cbor: bool) -> None:
        self.cbor = cbor
        self.sender = NodeKeys.generate("usa.example", "USA", NOW, kem=suite)
        self.sender_descriptor = parse_descriptor(describe(self.sender, NOW).encode())
        self.receivers = [
            NodeKeys.generate(f"node{i}.example", "PAK", NOW, kem=suite) for i in range(recipients)
        ]
        self.recipients: list[Recipient] = []
        for receiver in self.receivers:
            self.recipients += recipients_of(parse_descriptor(describe(receiver, NOW).encode()))
        self.suite = suite

    def accord(self, body: bytes) -> None:
        sealed = io.BytesIO()
        seal(
            io.BytesIO(body),
            sealed,
            sender=self.sender,
            recipients=self.recipients,
            release=RELEASE,
            now=NOW,
            cbor=self.cbor,
        )
        sealed.seek(0)
        opened = io.BytesIO()
        open_envelope(sealed, opened, recipient=self.receivers[0], sender=self.sender_descriptor)
        assert opened.getbuffer().nbytes == len(body)

    def floor(self, body: bytes) -> None:
        signing = self.sender.keys[0]
        kem = self.receivers[0].keys[-1]
        assert signing.private is not None
        assert kem.private is not None
        key = _hazmat.random_bytes(32)
        info = b"floor"
        wrapped = [_hazmat.hpke_seal(self.suite, r.public, key, info) for r in self.recipients]
        nonce = bytes(12)
        ciphertext = _hazmat.Aead(key).seal(nonce, body, b"")
        signature = _hazmat.ed25519_sign(signing.private, hashlib.sha256(ciphertext).digest())
        assert _hazmat.ed25519_verify(
            signing.public, signature, hashlib.sha256(ciphertext).digest()
        )
        unwrapped = _hazmat.hpke_open(self.suite, kem.private, wrapped[0], info)
        assert unwrapped is not None
        plaintext = _hazmat.Aead(unwrapped).open(nonce, ciphertext, b"")
        assert plaintext is not None
        assert len(plaintext) == len(body)


def rate(function, body: bytes, seconds: float) -> float:  # type: ignore[no-untyped-def]
    count, start = 0, time.perf_counter()
    while True:
        function(body)
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def compare(party: Party, size: int, rounds: int, seconds: float) -> tuple[float, float]:
    body = bytes(size)
    party.accord(body)
    party.floor(body)
    ours, floors = [], []
    for _ in range(rounds):
        ours.append(rate(party.accord, body, seconds))
        floors.append(rate(party.floor, body, seconds))
    return statistics.median(ours), statistics.median(floors)


SIZES = (("1k", 1024), ("64k", 64 * 1024), ("1m", 1 << 20), ("64m", 64 << 20))


def file_case(size: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        with open(directory / "plain", "wb") as handle:
            for _ in range(size // (1 << 20)):
                handle.write(bytes(1 << 20))
        start = time.perf_counter()
        script = str(Path(__file__).with_name("envelope_file_case.py"))
        command = [sys.executable, script, name]
        result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        elapsed = time.perf_counter() - start
        assert (directory / "opened").stat().st_size == size
        return float(result.stdout.strip()), elapsed


def main() -> None:
    quick = "--quick" in sys.argv
    seconds = 0.1 if quick else 0.3
    rounds = 3 if quick else 5
    results: dict[str, float] = {}
    header = f"{'wire':5} {'suite':7} {'recip':>5} {'body':>5}   {'accord msg/s':>12} {'floor':>10}"
    print(header + f" {'ratio':>6}")
    for wire in ("cbor", "json"):
        for suite in ("xwing", "x25519"):
            for recipients in (1, 10):
                party = Party(suite, recipients, cbor=wire == "cbor")
                for label, size in SIZES:
                    if size == 64 << 20 and (recipients != 1 or quick):
                        continue
                    case_rounds = 1 if size == 64 << 20 else rounds
                    ours, floor = compare(party, size, case_rounds, seconds)
                    ratio = ours / floor
                    results[f"{wire}_{suite}_{recipients}_{label}"] = round(ratio, 3)
                    row = f"{wire:5} {suite:7} {recipients:>5} {label:>5}   {ours:>12,.1f}"
                    print(row + f" {floor:>10,.1f} {ratio:>6.2f}")
    peak, elapsed = file_case(64 << 20)
    print(f"64 MiB file to file (seal + open, X-Wing): {elapsed:.1f} s, ", end="")
    print(f"peak {peak:.1f} MiB above baseline")
    summary = {
        "ratio_1k": results["cbor_xwing_1_1k"],
        "ratio_1m": results["cbor_xwing_1_1m"],
        "ratio_64k": results["cbor_xwing_1_64k"],
        "ratio_1k_10_recipients": results["cbor_xwing_10_1k"],
        "ratio_1k_x25519": results["cbor_x25519_1_1k"],
        "ratio_1k_json": results["json_xwing_1_1k"],
        "ratio_1m_json": results["json_xwing_1_1m"],
        "peak_mib_64m": round(peak, 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
