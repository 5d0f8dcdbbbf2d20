"""The console's pages: server-rendered HTML (Jinja2, autoescaped) over the node's services.

Each page translates: it asks the node's services (the same as the API's and the CLI's) and
renders what they answer; it decides nothing itself. Every page carries the security headers
below (no inline script or style, no framing), a marking banner at its top and bottom
(``web.markings``) and, for a signed-in user, only the navigation their role may use; a page or
an action of another role is refused if its URL is forced (403).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import importlib.resources
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ParamSpec
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from accord.agreements.dates import parse_day
from accord.agreements.document import detect_format
from accord.agreements.nations import nation_code
from accord.agreements.periods import charted_span, status_periods
from accord.agreements.vocabulary import Capability, EventKind
from accord.agreements.vocabulary import activity as activity_of
from accord.agreements.vocabulary import capability as capability_of
from accord.errors import (
    AccordError,
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)
from accord.federation.outbox import OutboxState
from accord.labels.json_form import label_from_dict
from accord.labels.marking_reader import label_from_marking
from accord.labels.security_policy import PolicySet
from accord.node.console_sessions import ConsoleSession
from accord.node.labels import label_from_banner, policy_of
from accord.node.register import event_from_fields
from accord.node.services import NodeServices
from accord.node.users import Role
from accord.node.witnessing import cosigned_checkpoints
from accord.policy.model import Decision
from accord.tlog.entries import EntryKind as LogEntryKind
from accord.tlog.proofs import verify_entry
from accord.web.auth import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SignInNeeded,
    check_form,
    cookie_of,
    form_text,
    new_sign_in_token,
    require_role,
    signed_in,
)
from accord.web.markings import Banner, banner_of, highest, system_high
from accord.web.timeline_svg import render_svg

log = logging.getLogger("accord.console")
router = APIRouter(include_in_schema=False)

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("accord.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)

#: No script but the console's own file, no inline script or style, no framing; a referrer only
#: to the console itself (with "no-referrer", browsers send "Origin: null" on its own forms).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

#: The pages of the navigation, and the roles that see each.
NAVIGATION = (
    ("/", "Dashboard", tuple(Role)),
    ("/register", "Register", tuple(Role)),
    ("/register/channels", "Channels", tuple(Role)),
    ("/release", "Release", (Role.OFFICER,)),
    ("/outbox", "Outbox", (Role.OFFICER, Role.AUDITOR)),
    ("/inbox", "Inbox", (Role.OFFICER,)),
    ("/audit", "Audit", (Role.AUDITOR,)),
    ("/alerts", "Alerts", tuple(Role)),
    ("/users", "Users", (Role.OPERATOR,)),
    ("/peers", "Peers", (Role.OPERATOR,)),
)

_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}

P = ParamSpec("P")


def _services(request: Request) -> NodeServices:
    services: NodeServices = request.app.state.services
    return services


def _reader_policy(services: NodeServices) -> Any:
    return policy_of(services.engine, services.keys.nation)


def render(
    request: Request,
    template: str,
    session: ConsoleSession | None,
    *,
    status: int = 200,
    banners: list[Banner] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page: its banner the highest marking of what it shows, else the node's system high."""
    services = _services(request)
    reader = _reader_policy(services)
    banner = highest(banners or [], system_high(reader, services.settings.system_high))
    role = session.user.role if session else None
    html = _ENVIRONMENT.get_template(template).render(
        user=session.user if session else None,
        csrf=session.csrf if session else "",
        banner=banner,
        navigation=[(href, name) for href, name, roles in NAVIGATION if role in roles],
        node=services.keys.node,
        nation=services.keys.nation,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def console_page(
    handler: Callable[P, Awaitable[Response]],
) -> Callable[P, Awaitable[Response]]:
    """A page's errors as pages: no session sends the browser to sign in; any other refusal is
    a page with the error's status and its one-line message (never a traceback)."""

    @functools.wraps(handler)
    async def page(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = kwargs.get("request")
        assert isinstance(request, Request)
        try:
            return await handler(*args, **kwargs)
        except SignInNeeded:
            return RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
        except AccordError as error:
            session = getattr(request.state, "console_session", None)
            return render(request, "error.html", session, status=error.http_status,
                          message=error.message)  # fmt: skip

    return page


async def _session(request: Request) -> ConsoleSession:
    session = await signed_in(request)
    request.state.console_session = session
    return session


async def _posted(request: Request, *roles: Role) -> tuple[ConsoleSession, FormData]:
    """A form posted by a user of one of ``roles``, with the session's CSRF token, from this
    console's own origin; its fields."""
    session = await _session(request)
    require_role(session, *roles)
    form = await request.form()
    check_form(request, session.csrf, form.get("csrf"))
    return session, form


# -- signing in and out ----------------------------------------------------------------------


@router.get("/login")
@console_page
async def login_form(request: Request) -> Response:
    """The sign-in form (inputs ``username`` and ``password``)."""
    return _login_page(request)


def _login_page(request: Request, message: str = "", status: int = 200) -> HTMLResponse:
    token = new_sign_in_token()
    response = render(request, "login.html", None, status=status, token=token, message=message)
    response.set_cookie(
        SIGN_IN_COOKIE, token, max_age=600, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/login",
    )  # fmt: skip
    return response


@router.post("/login")
@console_page
async def login(request: Request) -> Response:
    form = await request.form()
    expected = cookie_of(request.scope, SIGN_IN_COOKIE)
    if not expected:
        return _login_page(request, "The sign-in form expired: sign in again.", 403)
    check_form(request, expected, form.get("token"))
    name = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")
    services = _services(request)
    client = request.client.host if request.client else "unknown"
    try:
        signed = await run_in_threadpool(services.console.sign_in, name, password)
    except TooManyAttempts as error:
        log.warning("console sign-in refused (too many failures) from %s", client)
        return _login_page(request, error.message, 429)
    except Unauthenticated:
        known = await run_in_threadpool(_is_user, services, name)
        who = f"user {name}" if known else "an unknown user name"
        log.warning("console sign-in failed for %s from %s", who, client)
        return _login_page(request, "The user name or the password is not right.", 401)
    log.info("console sign-in: %s from %s", name, client)
    response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(
        SESSION_COOKIE, signed.cookie, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    response.delete_cookie(SIGN_IN_COOKIE, path="/login")
    return response


def _is_user(services: NodeServices, name: str) -> bool:
    try:
        services.users.get(name)
    except NotFound:
        return False
    return True


@router.post("/logout")
@console_page
async def logout(request: Request) -> Response:
    session = await _session(request)
    form = await request.form()
    check_form(request, session.csrf, form.get("csrf"))
    cookie = cookie_of(request.scope, SESSION_COOKIE) or ""
    await run_in_threadpool(_services(request).console.sign_out, cookie)
    response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- the dashboard ---------------------------------------------------------------------------


@router.get("/")
@console_page
async def dashboard(request: Request) -> Response:
    """What is open with each partner today, alerts, outbox health, the log and its witnesses."""
    session = await _session(request)
    services = _services(request)
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
    session = await _session(request)
    services = _services(request)
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
    session = await _session(request)
    services = _services(request)
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


# -- releasing -------------------------------------------------------------------------------


@router.get("/release")
@console_page
async def release_form(request: Request) -> Response:
    """The release form: recipient, label (a banner), capability, activity, text."""
    session = await _session(request)
    require_role(session, Role.OFFICER)
    return render(request, "release.html", session, result=None, values={},
                  choices=_label_choices(_services(request)))  # fmt: skip


def _label_choices(services: NodeServices) -> list[str]:
    """The release form's label picker: each classification of the node's policy, alone and
    releasable to this nation and each peer's (banners, read under the node's policy)."""
    policy = _reader_policy(services)
    own = services.keys.nation
    partners = sorted({p.nation for p in services.peers().list()} - {own})
    levels = [c.name for c in sorted(policy.classifications, key=lambda c: c.hierarchy)
              if not c.obsolete]  # fmt: skip
    choices = list(levels)
    for level in levels:
        choices += [f"{level}//REL TO {own}, {partner}" for partner in partners]
    return choices


def _release_fields(form: Any, services: NodeServices) -> dict[str, Any]:
    label_text = form_text(form, "label")
    return {
        "recipient": nation_code(form_text(form, "recipient", 64)),
        "label": label_from_banner(services.engine, label_text, nation=services.keys.nation),
        "capability": capability_of(form_text(form, "capability", 64)).value,
        "activity": activity_of(form_text(form, "activity", 64)).value,
    }


def _decision_view(decision: Decision) -> dict[str, Any]:
    return {
        "permit": decision.permit,
        "reasons": [
            {"rule": r.rule, "outcome": r.outcome.value, "message": r.message}
            for r in decision.reasons
        ],
    }


@router.post("/release/preview")
@console_page
async def release_preview(request: Request) -> Response:
    """The decision the form's release would get now (nothing released, nothing logged): the
    live preview, as an HTML fragment."""
    session, form = await _posted(request, Role.OFFICER)
    services = _services(request)
    try:
        fields = _release_fields(form, services)
        decision = await run_in_threadpool(
            lambda: services.messaging().preview(session.user, **fields)
        )
    except InvalidInput as error:
        return HTMLResponse(
            _ENVIRONMENT.get_template("decision.html").render(decision=None, error=error.message),
            headers=SECURITY_HEADERS,
        )
    return HTMLResponse(
        _ENVIRONMENT.get_template("decision.html").render(
            decision=_decision_view(decision), error=""
        ),
        headers=SECURITY_HEADERS,
    )


@router.post("/release")
@console_page
async def release(request: Request) -> Response:
    """Release the form's text, or the file it carries (at most ``CONSOLE_UPLOAD`` bytes, the
    console's request limit; larger files by the API's streamed ``/v1/files``): decided, sealed,
    queued and logged as the API's release."""
    session, form = await _posted(request, Role.OFFICER)
    services = _services(request)
    values = {k: str(form.get(k) or "") for k in ("recipient", "label", "capability", "activity")}
    text = ""
    try:
        fields = _release_fields(form, services)
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            if str(form.get("text") or "").strip():
                raise InvalidInput("give either a text or a file, not both")
            body = await upload.read(CONSOLE_UPLOAD + 1)
            if not body or len(body) > CONSOLE_UPLOAD:
                raise InvalidInput(f"file: 1 to {CONSOLE_UPLOAD} bytes here; larger by the API")
        else:
            text = form_text(form, "text", 64 * 1024)
            body = text.encode()
        result = await run_in_threadpool(
            lambda: services.messaging().release_as(session.user, body=body, **fields)
        )
    except InvalidInput as error:
        return render(request, "release.html", session, status=422, result=None,
                      values=values, error=error.message,
                      choices=_label_choices(services))  # fmt: skip
    banner = banner_of(fields["label"], services.engine.policies, _reader_policy(services))
    view = {"id": result.id, "log_index": result.log_index, **_decision_view(result.decision)}
    if not result.id:  # refused: the officer may change a field and send the same text again
        values["text"] = text
    return render(request, "release.html", session, status=201 if result.id else 403,
                  result=view, values=values, banners=[banner], marking=banner.text,
                  choices=_label_choices(services))  # fmt: skip


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
    session = await _session(request)
    require_role(session, Role.AUDITOR)
    services = _services(request)
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
    session = await _session(request)
    services = _services(request)
    alerts = await run_in_threadpool(lambda: services.watcher().alerts(limit=200))
    return render(request, "alerts.html", session, alerts=alerts)


@router.get("/audit/entries/{index}")
@console_page
async def audit_entry(request: Request, index: int) -> Response:
    """One log entry, its inclusion proof in the current checkpoint verified here and again in
    the browser (which recomputes the leaf's hash from the entry's bytes and the path to the
    root, RFC 9162 section 2.1.3.2, with WebCrypto's SHA-256)."""
    session = await _session(request)
    require_role(session, Role.AUDITOR)
    services = _services(request)
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


# -- static files ----------------------------------------------------------------------------


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The console's own stylesheet and script, from the package (nothing from a CDN)."""
    media = _STATIC.get(name)
    if media is None:
        return Response("not found", status_code=404, media_type="text/plain")
    data = importlib.resources.files("accord.web").joinpath("static", name).read_bytes()
    headers = {"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=media, headers=headers)


# -- outbox and inbox ------------------------------------------------------------------------

PAGE_SIZE = 50
#: The largest file the console takes (its request limit); larger ones with the CLI.
CONSOLE_UPLOAD = 1024 * 1024 - 4096
#: Agreements a page of the register, or rows a page of its timeline.
REGISTER_PAGE = 100
EVENT_KINDS = tuple(kind.value for kind in EventKind)
OUTBOX_STATES = tuple(state.value for state in OutboxState)
ENTRY_KINDS = tuple(kind.value for kind in LogEntryKind)


def _cursor(before: str | None) -> tuple[str, str] | None:
    """A page's cursor from the URL (``TIME~ID``, as the previous page wrote it)."""
    if not before:
        return None
    time, _, message = before[:200].partition("~")
    if not time or not message:
        raise InvalidInput("before: a page cursor, as the previous page's link gives it")
    return time, message


def _cursor_text(cursor: tuple[str, str] | None) -> str:
    return f"{cursor[0]}~{cursor[1]}" if cursor else ""


@router.get("/outbox")
@console_page
async def outbox_page(
    request: Request, state: str | None = None, before: str | None = None
) -> Response:
    """The messages this node sent, newest first, 50 a page; an officer sees those whose label
    their clearance passes."""
    session = await _session(request)
    require_role(session, Role.OFFICER, Role.AUDITOR)
    services = _services(request)
    state = state or None  # the form's "any" sends an empty state
    if state is not None and state not in OUTBOX_STATES:
        raise InvalidInput(f"state: one of {', '.join(OUTBOX_STATES)}")
    rows, following = await run_in_threadpool(
        lambda: services.messaging().outbox_page(
            session.user, limit=PAGE_SIZE, before=_cursor(before), status=state or None
        )
    )
    reader = _reader_policy(services)
    policies = services.engine.policies
    banners = []
    for row in rows:
        banner = banner_of(label_from_dict(row["label"]), policies, reader)
        row["marking"] = banner.text
        banners.append(banner)
    return render(request, "outbox.html", session, banners=banners, rows=rows, state=state or "",
                  states=OUTBOX_STATES, following=_cursor_text(following))  # fmt: skip


@router.get("/outbox/{message_id}")
@console_page
async def outbox_message(request: Request, message_id: str) -> Response:
    """A sent message's life: its state and why, its attempts, the receiver's signed receipt."""
    session = await _session(request)
    require_role(session, Role.OFFICER, Role.AUDITOR)
    services = _services(request)
    view = await run_in_threadpool(
        lambda: services.messaging().status(message_id[:64], session.user)
    )
    return render(request, "outbox_message.html", session, message=view)


@router.get("/inbox")
@console_page
async def inbox_page(request: Request, before: str | None = None) -> Response:
    """What this officer may read of what partners sent, newest first, 50 a page."""
    session = await _session(request)
    require_role(session, Role.OFFICER)
    services = _services(request)
    rows, following = await run_in_threadpool(
        lambda: services.inbox().page_for(session.user, limit=PAGE_SIZE, before=_cursor(before))
    )
    reader = _reader_policy(services)
    banners = [_marking_banner(reader, row["label"]) for row in rows]
    return render(request, "inbox.html", session, banners=banners, rows=rows,
                  following=_cursor_text(following))  # fmt: skip


def _marking_banner(reader: Any, marking: str) -> Banner:
    """The banner of a marking this node's policy wrote (a received message's)."""
    try:
        label = label_from_marking(reader, marking)
    except AccordError:
        top = max(reader.classifications, key=lambda c: c.hierarchy)
        return Banner(marking, top.hierarchy, "grey")
    return banner_of(label, PolicySet((reader,)), reader)


@router.get("/inbox/{message_id}")
@console_page
async def read_message(request: Request, message_id: str) -> Response:
    """A received message, after the read decision: its marking above and below its content."""
    session = await _session(request)
    require_role(session, Role.OFFICER)
    services = _services(request)
    listed, content = await run_in_threadpool(
        lambda: services.inbox().read_marked(session.user, message_id[:64])
    )
    banner = _marking_banner(_reader_policy(services), listed["label"])
    try:
        text: str | None = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return render(request, "read.html", session, banners=[banner], message=listed, text=text,
                  size=len(content))  # fmt: skip


# -- an agreement, recording its events, the channel matrix ----------------------------------


@router.get("/register/agreements/{agreement_id}")
@console_page
async def agreement_page(request: Request, agreement_id: str) -> Response:
    """One agreement: its status today, its events with their sources; operators record an
    event here."""
    session = await _session(request)
    services = _services(request)
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
    session, form = await _posted(request, Role.OPERATOR)
    services = _services(request)
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
    session = await _session(request)
    services = _services(request)
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


# -- users, tokens and peers (operators) -----------------------------------------------------


@router.get("/users")
@console_page
async def users_page(request: Request) -> Response:
    """The node's users and their API tokens (never a token's secret); add, revoke, issue."""
    session = await _session(request)
    require_role(session, Role.OPERATOR)
    return await _users_page(request, session)


async def _users_page(
    request: Request, session: ConsoleSession, *, status: int = 200, **shown: Any
) -> Response:
    services = _services(request)
    users, tokens = await run_in_threadpool(
        lambda: (services.users.list(), services.users.tokens())
    )
    context = {"error": "", "issued": None, "values": {}} | shown
    return render(request, "users.html", session, status=status, users=users, tokens=tokens,
                  roles=[r.value for r in Role], **context)  # fmt: skip


@router.post("/users")
@console_page
async def add_user(request: Request) -> Response:
    session, form = await _posted(request, Role.OPERATOR)
    services = _services(request)
    values = {k: str(form.get(k) or "")[:64] for k in ("name", "role", "clearance")}
    try:
        name, role = form_text(form, "name", 64), form_text(form, "role", 16)
        clearance = values["clearance"].strip() or None
        await run_in_threadpool(lambda: services.users.add(name, role, clearance, []))
    except (InvalidInput, Conflict) as error:
        status = 409 if isinstance(error, Conflict) else 422
        return await _users_page(request, session, status=status, error=error.message,
                                 values=values)  # fmt: skip
    return RedirectResponse("/users", status_code=303, headers=SECURITY_HEADERS)


@router.post("/users/{name}/revoke")
@console_page
async def revoke_user(request: Request, name: str) -> Response:
    return await _on_users(request, lambda services: services.users.revoke(name[:64]))


@router.post("/users/{name}/tokens")
@console_page
async def issue_token(request: Request, name: str) -> Response:
    """A new API token for ``name``, shown once on the page that answers (never again)."""
    session, _ = await _posted(request, Role.OPERATOR)
    services = _services(request)
    issued = await run_in_threadpool(lambda: services.users.create_token(name[:64]))
    return await _users_page(request, session, status=201, issued=issued)


@router.post("/tokens/{token_id}/revoke")
@console_page
async def revoke_token(request: Request, token_id: str) -> Response:
    return await _on_users(request, lambda services: services.users.revoke_token(token_id[:64]))


async def _on_users(request: Request, action: Callable[[NodeServices], object]) -> Response:
    """An operator's action on the users page (its form checked), then the page again."""
    await _posted(request, Role.OPERATOR)
    services = _services(request)
    await run_in_threadpool(lambda: action(services))
    return RedirectResponse("/users", status_code=303, headers=SECURITY_HEADERS)


@router.get("/peers")
@console_page
async def peers_page(request: Request) -> Response:
    """The partner nodes this node federates with: their URLs and pinned keys, and this node's
    own keys (public facts only)."""
    session = await _session(request)
    require_role(session, Role.OPERATOR)
    services = _services(request)
    peers = await run_in_threadpool(lambda: services.peers().list())
    return render(request, "peers.html", session, peers=peers, own=services.keys)


@router.post("/register/import")
@console_page
async def import_register(request: Request) -> Response:
    """Import a register file (operators): YAML or JSON in the register's schema, all or nothing,
    as ``accord agreements import``; through the console at most ``CONSOLE_UPLOAD`` bytes (the
    console's request limit), larger files with the CLI."""
    session, form = await _posted(request, Role.OPERATOR)
    services = _services(request)
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


@router.post("/outbox/retry")
@console_page
async def retry_message(request: Request) -> Response:
    """Send a message again at once (operators), by its id: one the partner refused, one held,
    one waiting to retry. The answer is its id and new state only: operators do not read the
    outbox (docs/node.md, "Who sees what")."""
    session, form = await _posted(request, Role.OPERATOR)
    services = _services(request)
    message = form_text(form, "message", 64)
    view = await run_in_threadpool(lambda: services.messaging().retry(message))
    return render(request, "retried.html", session, message=str(view["id"]),
                  state=str(view["status"]))  # fmt: skip
