"""The console's audit pages: the log's entries by kind, day, user and partner, each witness's
cosigned checkpoint, an entry with its proof checked on the node and in the browser, and the
alerts."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from accord.agreements.dates import parse_day
from accord.errors import AccordError, InvalidInput, NotFound
from accord.node.users import Role
from accord.node.witnessing import cosigned_checkpoints
from accord.tlog.entries import EntryKind as LogEntryKind
from accord.tlog.proofs import verify_entry
from accord.web.auth import require_role
from accord.web.rendering import console_page, page_session, render, services_of

router = APIRouter(include_in_schema=False)

#: Entries a page of the audit list.
PAGE_SIZE = 50
ENTRY_KINDS = tuple(kind.value for kind in LogEntryKind)


# -- audit -----------------------------------------------------------------------------------


@router.get("/audit")
@console_page
async def audit_page(
    request: Request,
    kind: str | None = None,
    start: Annotated[str | None, Query(alias="from", max_length=32)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=32)] = None,
    user: Annotated[str | None, Query(max_length=64)] = None,
    partner: Annotated[str | None, Query(max_length=256)] = None,
    before: int | None = None,
) -> Response:
    """The log's entries, newest first, 50 a page, by kind, day, user and partner; each
    witness's latest cosigned checkpoint; release decisions with their outcome."""
    session = await page_session(request)
    require_role(session, Role.AUDITOR)
    services = services_of(request)
    kind = kind or None
    if kind is not None and kind not in ENTRY_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(ENTRY_KINDS)}")
    first = parse_day(start) if start else None
    last = parse_day(end) if end else None
    if first and last and last < first:
        raise InvalidInput("to: the range ends before it starts (from)")
    if before is not None and not 0 <= before < 2**63:
        raise InvalidInput("before: an entry index, from 0")

    def facts() -> dict[str, Any]:
        found = services.log.listing(
            kinds=[kind] if kind else [], start=first, end=last, limit=PAGE_SIZE,
            before=before, user=user or None, partner=partner or None,
        )  # fmt: skip
        return {
            "entries": [
                {
                    "index": e.index,
                    "kind": e.kind,
                    "at": str(e.fields.get("at", ""))[:19],
                    "summary": e.summary,
                }
                for e in found
            ],
            "following": found[-1].index if len(found) == PAGE_SIZE else None,
            "size": services.log.size(),
            "witnesses": cosigned_checkpoints(services.database, services.log),
        }

    filters = {"kind": kind or "", "from": start or "", "to": end or "", "user": user or "",
               "partner": partner or ""}  # fmt: skip
    return render(request, "audit.html", session, kinds=ENTRY_KINDS, filters=filters,
                  query=urlencode({k: v for k, v in filters.items() if v}),
                  **(await run_in_threadpool(facts)))  # fmt: skip


@router.get("/alerts")
@console_page
async def alerts_page(request: Request) -> Response:
    """The lifecycle watcher's alerts: agreements about to expire, channels closed or opened."""
    session = await page_session(request)
    services = services_of(request)
    alerts = await run_in_threadpool(lambda: services.watcher().alerts(limit=200))
    return render(request, "alerts.html", session, alerts=alerts)


@router.get("/audit/entries/{index}")
@console_page
async def audit_entry(request: Request, index: int) -> Response:
    """One log entry, its inclusion proof in the current checkpoint verified here and again in
    the browser (which recomputes the leaf's hash from the entry's bytes and the path to the
    root, RFC 9162 section 2.1.3.2, with WebCrypto's SHA-256)."""
    session = await page_session(request)
    require_role(session, Role.AUDITOR)
    services = services_of(request)
    if not 0 <= index < 2**63:
        raise InvalidInput("an entry index is a whole number from 0")

    def facts() -> dict[str, Any]:
        checkpoint = services.log.checkpoint()
        if index >= checkpoint.size:
            raise NotFound(f"no entry {index}: the log has {checkpoint.size}")
        kind, data = services.log.entry(index)
        proof = services.log.prove(index, checkpoint.size)
        try:
            verify_entry(checkpoint.note, services.log.verifier_key(), data, proof)
            verified = True
        except AccordError:
            verified = False
        fields = json.loads(data)
        return {
            "index": index,
            "kind": kind,
            "decision": fields.get("decision") if kind == "release-decision" else None,
            "reasons": fields.get("reasons") or [],
            "entry": json.dumps(fields, indent=2, ensure_ascii=False),
            "entry_b64": base64.b64encode(data).decode(),
            "proof": proof.to_dict(),
            "checkpoint": checkpoint.note,
            "verified": verified,
        }

    return render(request, "audit_entry.html", session, **(await run_in_threadpool(facts)))
