"""The console's register pages: the dashboard, the agreements (100 a page) and an agreement's
events, recording an event and importing a file (operators), the timeline and the channel
matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.agreements.dates import parse_day
from accord.agreements.document import detect_format
from accord.agreements.nations import nation_code
from accord.agreements.periods import charted_span, status_periods
from accord.agreements.vocabulary import Capability, EventKind
from accord.errors import InvalidInput
from accord.node.console_sessions import ConsoleSession
from accord.node.register import event_from_fields
from accord.node.services import NodeServices
from accord.node.users import Role
from accord.node.witnessing import cosigned_checkpoints
from accord.web.auth import form_text
from accord.web.rendering import (
    CONSOLE_UPLOAD,
    SECURITY_HEADERS,
    console_page,
    page_session,
    posted,
    render,
    services_of,
)
from accord.web.timeline_svg import render_svg

router = APIRouter(include_in_schema=False)

#: Agreements a page of the register, or rows a page of its timeline.
REGISTER_PAGE = 100
EVENT_KINDS = tuple(kind.value for kind in EventKind)


# -- the dashboard ---------------------------------------------------------------------------


@router.get("/")
@console_page
async def dashboard(request: Request) -> Response:
    """What is open with each partner today, alerts, outbox health, the log and its witnesses."""
    session = await page_session(request)
    services = services_of(request)
    facts = await run_in_threadpool(_dashboard_facts, services, session)
    return render(request, "dashboard.html", session, **facts)


def _dashboard_facts(services: NodeServices, session: ConsoleSession) -> dict[str, Any]:
    today = services.clock.today()
    register = services.register.current()
    own = services.keys.nation
    partners = []
    for peer in services.peers().list():
        openings = register.open_capabilities(own, peer.nation, today)
        partners.append(
            {
                "node": peer.node,
                "nation": peer.nation,
                "open": [
                    {"capability": o.capability, "until": str(o.until or "")} for o in openings
                ],
            }
        )
    oversees = session.user.role in (Role.OPERATOR, Role.AUDITOR)
    health = (
        services.messaging().health(services.clock.now() - dt.timedelta(days=1))
        if oversees
        else None
    )
    checkpoint = services.log.checkpoint()
    witnesses = [
        {"witness": c["witness"], "size": c["size"]}
        for c in cosigned_checkpoints(services.database, services.log)
    ]
    alerts = services.watcher().alerts(limit=10)
    return {
        "today": today.isoformat(),
        "partners": partners,
        "health": health,
        "log_size": checkpoint.size,
        "witnesses": witnesses,
        "alerts": alerts,
    }


# -- the register ----------------------------------------------------------------------------


@router.get("/register")
@console_page
async def register_page(request: Request, page: int = 1) -> Response:
    """The agreements with their status today, ``REGISTER_PAGE`` a page."""
    session = await page_session(request)
    services = services_of(request)
    number = _page_number(page)
    pages = 1

    def rows() -> list[dict[str, str]]:
        nonlocal pages
        register = services.register.current()
        today = services.clock.today()
        out = []
        selected = register.select()
        pages = max(1, -(-len(selected) // REGISTER_PAGE))
        for agreement in selected[(number - 1) * REGISTER_PAGE : number * REGISTER_PAGE]:
            report = register.timeline(agreement.id).status_on(today)
            out.append(
                {
                    "id": agreement.id,
                    "type": agreement.type,
                    "parties": ", ".join(agreement.parties),
                    "status": report.status.value,
                    "explanation": report.explanation,
                }
            )
        return out

    agreements = await run_in_threadpool(rows)
    return render(request, "register.html", session, agreements=agreements, page=number,
                  pages=pages, today=services.clock.today().isoformat())  # fmt: skip


def _page_number(page: int) -> int:
    if not 1 <= page <= 1_000_000:
        raise InvalidInput("page: a whole number from 1")
    return page


@router.get("/register/timeline")
@console_page
async def timeline_page(request: Request, nation: str | None = None, page: int = 1) -> Response:
    """The agreements of ``nation`` (or all) as an SVG timeline, ``REGISTER_PAGE`` rows a
    page: a bar per term, a today line."""
    session = await page_session(request)
    services = services_of(request)
    code = nation_code(nation[:64]) if nation else None
    number = _page_number(page)
    pages = 1

    def chart() -> str:
        nonlocal pages
        register = services.register.current()
        today = services.clock.today()
        selected = register.select(nations=[code] if code else [])
        pages = max(1, -(-len(selected) // REGISTER_PAGE))
        span = charted_span(selected, today)
        shown = selected[(number - 1) * REGISTER_PAGE : number * REGISTER_PAGE]
        rows = [(a, status_periods(register.timeline(a.id), *span)) for a in shown]
        title = f"Agreements of {code}" if code else "All agreements"
        return render_svg(rows, span, today, title)

    svg = await run_in_threadpool(chart)
    return render(request, "timeline.html", session, svg=svg, chosen=code or "", page=number,
                  pages=pages)  # fmt: skip


# -- an agreement, recording its events, the channel matrix ----------------------------------


@router.get("/register/agreements/{agreement_id}")
@console_page
async def agreement_page(request: Request, agreement_id: str) -> Response:
    """One agreement: its status today, its events with their sources; operators record an
    event here."""
    session = await page_session(request)
    services = services_of(request)
    facts = await run_in_threadpool(_agreement_facts, services, agreement_id[:64])
    return render(request, "agreement.html", session, **facts, kinds=EVENT_KINDS, error="",
                  values={})  # fmt: skip


def _agreement_facts(services: NodeServices, agreement_id: str) -> dict[str, Any]:
    register = services.register.current()
    agreement = register.get(agreement_id)
    today = services.clock.today()
    sources = {s.id: s for s in register.sources}
    return {
        "agreement": agreement,
        "report": register.timeline(agreement.id).status_on(today),
        "today": today.isoformat(),
        "events": [
            {
                "kind": e.kind.value,
                "date": str(e.date),
                "term": str(e.term) if e.term else "",
                "note": e.note,
                "grade": e.grade.value if hasattr(e.grade, "value") else str(e.grade),
                "sources": [sources[s] for s in e.sources if s in sources],
            }
            for e in agreement.events
        ],
    }


@router.post("/register/agreements/{agreement_id}/events")
@console_page
async def record_event(request: Request, agreement_id: str) -> Response:
    """Record a lifecycle event (operators): checked as ``accord agreements record`` checks it,
    logged in the transparency log."""
    session, form = await posted(request, Role.OPERATOR)
    services = services_of(request)
    values = {k: str(form.get(k) or "")[:1024] for k in ("kind", "date", "term", "source", "note")}
    try:
        event, new_sources = event_from_fields(
            form_text(form, "kind", 64),
            form_text(form, "date", 64),
            term=values["term"].strip() or None,
            source=values["source"].strip() or None,
            note=values["note"].strip(),
        )
        await run_in_threadpool(
            lambda: services.register.record_event(
                agreement_id[:64],
                event,
                new_sources=new_sources,
                actor=f"console:{session.user.name}",
            )
        )
    except InvalidInput as error:
        facts = await run_in_threadpool(_agreement_facts, services, agreement_id[:64])
        return render(request, "agreement.html", session, status=422, **facts, kinds=EVENT_KINDS,
                      error=error.message, values=values)  # fmt: skip
    return RedirectResponse(
        f"/register/agreements/{agreement_id[:64]}", status_code=303, headers=SECURITY_HEADERS
    )


@router.get("/register/channels")
@console_page
async def channels_page(request: Request, on: str | None = None) -> Response:
    """The channel matrix: each partner nation against each capability, open or closed on a
    day (default today), with the agreements that open it; the date control moves through time."""
    session = await page_session(request)
    services = services_of(request)
    day = parse_day(on[:32]) if on else services.clock.today()

    def matrix() -> dict[str, Any]:
        register = services.register.current()
        opened = register.open_with_partners(services.keys.nation, day)
        rows = [
            {"nation": partner, "open": {c: ", ".join(ids) for c, ids in opened[partner].items()}}
            for partner in sorted(opened)
        ]
        return {"rows": rows, "capabilities": [c.value for c in Capability]}

    facts = await run_in_threadpool(matrix)
    return render(request, "channels.html", session, day=day.isoformat(),
                  earlier=(day - dt.timedelta(days=365)).isoformat(),
                  later=(day + dt.timedelta(days=365)).isoformat(), **facts)  # fmt: skip


@router.post("/register/import")
@console_page
async def import_register(request: Request) -> Response:
    """Import a register file (operators): YAML or JSON in the register's schema, all or nothing,
    as ``accord agreements import``; through the console at most ``CONSOLE_UPLOAD`` bytes (the
    console's request limit), larger files with the CLI."""
    session, form = await posted(request, Role.OPERATOR)
    services = services_of(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("file: choose a register file (.yaml, .yml or .json)")
    fmt = detect_format(upload.filename)
    raw = await upload.read(CONSOLE_UPLOAD + 1)
    if len(raw) > CONSOLE_UPLOAD:
        raise InvalidInput(f"file: at most {CONSOLE_UPLOAD} bytes here; import it with the CLI")
    actor = f"console:{session.user.name}"
    try:
        summary = await run_in_threadpool(
            lambda: services.register.import_document(raw, fmt, limit=CONSOLE_UPLOAD, actor=actor)
        )
    except InvalidInput as error:
        raise InvalidInput(f"{upload.filename[-80:]}: {error.message}") from None
    return render(request, "imported.html", session, name=upload.filename[-80:],
                  summary=summary)  # fmt: skip
