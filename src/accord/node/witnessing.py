"""Peers witness each other's transparency logs (C2SP tlog-witness idea over the federation
protocol, docs/federation.md).

Asking (this node's log): for each peer, send the current checkpoint with a consistency proof from
the size that peer last cosigned; the peer's answer, signed by its node keys, carries its witness
key and the C2SP cosignature. The cosignature is checked against the checkpoint and stored. A node
can then show, for any exchange, its own inclusion proof and a checkpoint cosigned by the partner.

Witnessing (a peer's log): the first request from a peer pins the log key it names (the request
is signed by the peer's node keys, and the log's name must be ``<peer node>/log``); later ones must
use the same key. A checkpoint inconsistent with the last one cosigned raises an alarm, recorded in
this node's own log (``LogService.cosign``); a request from a stale size is answered with the size
this node has witnessed, so the asker can send the right proof.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from accord.clock import Clock
from accord.crypto.descriptor import NodeDescriptor
from accord.crypto.keys import NodeKeys
from accord.errors import Conflict, InvalidInput, NotFound, VerificationFailed
from accord.federation.witness import (
    WitnessAnswer,
    decode_witness_request,
    encode_witness_request,
    sign_witness_answer,
    verify_witness_answer,
)
from accord.node.delivery import send_signed
from accord.node.log import LogService
from accord.store.database import Database
from accord.store.tlog_repository import StoredCosignature, TlogRepository
from accord.tlog.checkpoint import Checkpoint, open_checkpoint
from accord.tlog.note import VerifierKey
from accord.tlog.note import parse as parse_note
from accord.tlog.witness import verify_cosignature

log = logging.getLogger(__name__)
WITNESS_PATH = "/federation/v1/witness"


# -- witnessing a peer's log --------------------------------------------------------------------


def cosign_for(
    logs: LogService, keys: NodeKeys, origin: NodeDescriptor, body: bytes
) -> WitnessAnswer:
    """The signed answer to an authenticated peer's witness request."""
    log_key_text, checkpoint, old_size, proof = decode_witness_request(body)
    log_key = VerifierKey.parse(log_key_text)
    if log_key.name != f"{origin.node}/log":
        raise InvalidInput(f"{origin.node} may only ask for its own log, {origin.node}/log")
    try:
        with logs.database.reading() as connection:
            row = TlogRepository(connection).witnessed(log_key.name)
    except NotFound:
        logs.add_witnessed_log(log_key)
        with logs.database.reading() as connection:
            row = TlogRepository(connection).witnessed(log_key.name)
    if row.log_key != log_key.encode():
        raise Conflict(f"{log_key.name} is witnessed under another key; it may not change")
    if old_size != row.size:  # the asker's proof starts elsewhere: say where to start
        cosignature, witnessed = "", row.size
    else:
        cosignature = logs.cosign(log_key.name, checkpoint, proof).line()
        witnessed = Checkpoint.parse(parse_note(checkpoint).text).size
    return sign_witness_answer(
        keys,
        origin=log_key.name,
        witness_key=logs.cosigner_key().encode(),
        witnessed_size=witnessed,
        cosignature=cosignature,
    )


# -- having this node's log witnessed -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cosigned:
    witness: str
    size: int
    cosignature: str


class WitnessClient:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        keys: NodeKeys,
        logs: LogService,
        partners: dict[str, NodeDescriptor],
        urls: dict[str, str],
        client: httpx.Client,
    ) -> None:
        self.database = database
        self.clock = clock
        self.keys = keys
        self.logs = logs
        self.partners = partners
        self.urls = urls
        self.client = client

    def collect(self) -> list[Cosigned]:
        """Ask every peer to cosign the current checkpoint; returns the new cosignatures. A peer
        that cannot be reached or answers wrongly is skipped (and logged): the next round asks
        again."""
        checkpoint = self.logs.checkpoint()
        if checkpoint.size == 0:
            return []
        done = []
        for node, descriptor in sorted(self.partners.items()):
            url = self.urls.get(node)
            if url is None or self._last_size(node) == checkpoint.size:
                continue
            try:
                done.append(self._ask(node, descriptor, url, checkpoint.note, checkpoint.size))
            except (httpx.HTTPError, VerificationFailed, InvalidInput) as error:
                log.warning("witnessing by %s: %s", node, error)
        return done

    def _last_size(self, witness: str) -> int:
        with self.database.reading() as connection:
            return TlogRepository(connection).last_cosigned_size(witness)

    def _ask(
        self, node: str, descriptor: NodeDescriptor, url: str, note: str, size: int
    ) -> Cosigned:
        old = self._last_size(node)
        for _ in range(2):  # the second time from the size the witness says it has
            answer = verify_witness_answer(
                self._post(node, url, note, old, size), witness=descriptor, origin=self.logs.origin
            )
            if answer.cosignature:
                return self._keep(node, answer, note, size)
            witnessed = answer.witnessed_size
            if witnessed > size or witnessed == old:
                raise InvalidInput(f"{node} has witnessed size {witnessed}; this log is {size}")
            old = witnessed
        raise InvalidInput(f"{node} did not cosign")

    def _post(self, node: str, url: str, note: str, old: int, size: int) -> dict[str, Any]:
        proof = list(self.logs.consistency(old, size).proof) if 0 < old < size else []
        body = encode_witness_request(self.logs.verifier_key().encode(), note, old, proof)
        response = send_signed(
            self.client, self.keys, node, "POST", url, WITNESS_PATH, body, self.clock.now()
        )
        if response.status_code != 200:
            raise InvalidInput(f"{node} answered {response.status_code}: {response.text[:200]}")
        answer: dict[str, Any] = response.json()
        return answer

    def _keep(self, node: str, answer: WitnessAnswer, note: str, size: int) -> Cosigned:
        key = VerifierKey.parse(answer.witness_key)
        if key.name != node:
            raise VerificationFailed(f"{node}'s witness key is named {key.name}")
        line = answer.cosignature
        cosigned = parse_note(note + line)
        signature = next((s for s in cosigned.signatures if s.name == node), None)
        if signature is None or len(line.splitlines()) != 1:
            raise VerificationFailed(f"{node}'s answer holds no cosignature line of its own")
        checkpoint = Checkpoint.parse(cosigned.text)
        verify_cosignature(checkpoint, signature, key)
        with self.database.transaction() as connection:
            TlogRepository(connection).save_cosignature(
                StoredCosignature(
                    witness=node,
                    size=size,
                    root_hash=checkpoint.root_hash,
                    cosignature=answer.cosignature,
                    witness_key=key.encode(),
                    received_at=self.clock.now().astimezone(dt.UTC).isoformat(),
                )
            )
        return Cosigned(node, size, answer.cosignature)


def cosigned_checkpoints(database: Database, logs: LogService) -> list[dict[str, Any]]:
    """Each witness's latest cosignature of this node's log: the checkpoint note with the
    cosignature line appended (a C2SP note a verifier checks with the log's and the witness's
    keys), and the witness key."""
    with database.reading() as connection:
        repository = TlogRepository(connection)
        out = []
        for cosigned in repository.latest_cosignatures():
            stored = repository.checkpoint(cosigned.size)
            if stored is None:
                continue
            out.append(
                {
                    "witness": cosigned.witness,
                    "size": cosigned.size,
                    "witness_key": cosigned.witness_key,
                    "note": stored.note + cosigned.cosignature,
                }
            )
    return out


def check_cosigned(note: str, log_key: VerifierKey, witness_key: VerifierKey) -> Checkpoint:
    """The checkpoint of a cosigned note, after checking the log's signature and the witness's
    cosignature on it; raises ``VerificationFailed`` otherwise."""
    checkpoint, opened = open_checkpoint(note, log_key)
    signature = next((s for s in opened.signatures if s.name == witness_key.name), None)
    if signature is None:
        raise VerificationFailed(f"the checkpoint is not cosigned by {witness_key.name}")
    verify_cosignature(checkpoint, signature, witness_key)
    return checkpoint
