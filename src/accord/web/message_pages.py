"""The console's message pages: releasing (with the live decision preview), the outbox and a
message's life, sending one again (operators), the inbox and reading a message between its
markings."""

from __future__ import annotations

from typing import Any, BinaryIO

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.agreements.nations import nation_code
from accord.agreements.vocabulary import activity as activity_of
from accord.agreements.vocabulary import capability as capability_of
from accord.errors import AccordError, InvalidInput, LabelError
from accord.federation.outbox import OutboxState
from accord.labels.banner import DISSEMINATION, NOFORN, RELEASABLE_TO
from accord.labels.json_form import label_from_dict
from accord.labels.marking_reader import label_from_marking
from accord.labels.security_policy import PolicySet
from accord.node.labels import label_from_banner
from accord.node.messaging import MAX_BODY
from accord.node.services import NodeServices
from accord.node.users import Role
from accord.policy.model import Decision
from accord.web.auth import form_text, require_role
from accord.web.markings import Banner, banner_of
from accord.web.rendering import (
    SECURITY_HEADERS,
    console_page,
    page_session,
    posted,
    reader_policy,
    render,
    services_of,
    streamed_form,
    template,
)

router = APIRouter(include_in_schema=False)

#: Messages a page of the outbox or the inbox.
PAGE_SIZE = 50
OUTBOX_STATES = tuple(state.value for state in OutboxState)
#: A text typed into the release form (a longer one goes as a file).
TEXT_LIMIT = 64 * 1024
#: The release form's request: a file of up to the node's message limit, and its fields.
RELEASE_FORM_BYTES = MAX_BODY + 64 * 1024


# -- releasing -------------------------------------------------------------------------------


@router.get("/release")
@console_page
async def release_form(request: Request) -> Response:
    """The release form: recipient, label (a banner, typed, chosen from a list, or built with
    the picker), capability, activity, text or file."""
    session = await page_session(request)
    require_role(session, Role.OFFICER)
    services = services_of(request)
    return render(request, "release.html", session, result=None, values={},
                  **_form_lists(services))  # fmt: skip


def _form_lists(services: NodeServices) -> dict[str, Any]:
    """The label field's list and the label picker, from the node's policy and partners (the
    peers read once).

    - The list: each classification of the policy, alone and releasable to this nation and
      each peer's (banners, read under the node's policy).
    - The picker: the classifications, the nations the policy's "Releasable To" category has
      among this node's partners (its peers' and its register's), and whether it has NOFORN
      (what a banner can carry: docs/labels.md).
    """
    policy = reader_policy(services)
    own = services.keys.nation
    peers = {p.nation for p in services.peers().list()} - {own}
    register = services.register.current()
    parties = {party for a in register.select(nations=[own]) for party in a.parties} - {own}
    levels = [c.name for c in policy.by_hierarchy() if not c.obsolete]

    def named(tag: str, kind: str) -> set[str]:
        try:
            return set(policy.categories_named(tag, kind))
        except LabelError:  # the policy has no such tag
            return set()

    releasable = named(RELEASABLE_TO, "PERMISSIVE")
    choices = levels + [f"{level}//REL TO {own}, {peer}" for level in levels
                        for peer in sorted(peers)]  # fmt: skip
    picker = {
        "own": own,
        "levels": levels,
        "nations": [n for n in sorted(peers | parties) if n in releasable],
        "noforn": NOFORN in named(DISSEMINATION, "RESTRICTIVE"),
    }
    return {"choices": choices, "picker": picker}


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
    session, form = await posted(request, Role.OFFICER)
    services = services_of(request)
    try:
        fields = _release_fields(form, services)
        decision = await run_in_threadpool(
            lambda: services.messaging().preview(session.user, **fields)
        )
    except InvalidInput as error:
        return HTMLResponse(
            template("decision.html").render(decision=None, error=error.message),
            headers=SECURITY_HEADERS,
        )
    return HTMLResponse(
        template("decision.html").render(decision=_decision_view(decision), error=""),
        headers=SECURITY_HEADERS,
    )


@router.post("/release")
@console_page
async def release(request: Request) -> Response:
    """Release the form's text, or the file it carries (up to the API's 16 MiB: this path is
    streamed, its session, role and origin checked before the body is read and the file spooled
    to disk as it arrives): decided, sealed, queued and logged as the API's release."""
    session, form = await streamed_form(
        request, Role.OFFICER, limit=RELEASE_FORM_BYTES, field_limit=TEXT_LIMIT + 1024
    )
    services = services_of(request)
    values = {k: str(form.get(k) or "") for k in ("recipient", "label", "capability", "activity")}
    text = ""
    upload = form.get("file")
    try:
        fields = _release_fields(form, services)
        if isinstance(upload, UploadFile) and upload.filename:
            if str(form.get("text") or "").strip():
                raise InvalidInput("give either a text or a file, not both")
            if not upload.size or upload.size > MAX_BODY:
                raise InvalidInput(f"file: 1 to {MAX_BODY} bytes")
            body: bytes | BinaryIO = upload.file
        else:
            text = form_text(form, "text", TEXT_LIMIT)
            body = text.encode()
        result = await run_in_threadpool(
            lambda: services.messaging().release_as(session.user, body=body, **fields)
        )
    except InvalidInput as error:
        return render(request, "release.html", session, status=422, result=None,
                      values=values, error=error.message,
                      **_form_lists(services))  # fmt: skip
    finally:
        if isinstance(upload, UploadFile):
            await upload.close()  # its spooled file on disk goes now
    banner = banner_of(fields["label"], services.engine.policies, reader_policy(services))
    view = {"id": result.id, "log_index": result.log_index, **_decision_view(result.decision)}
    if not result.id:  # refused: the officer may change a field and send the same text again
        values["text"] = text
    return render(request, "release.html", session, status=201 if result.id else 403,
                  result=view, values=values, banners=[banner], marking=banner.text,
                  **_form_lists(services))  # fmt: skip


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
    session = await page_session(request)
    require_role(session, Role.OFFICER, Role.AUDITOR)
    services = services_of(request)
    state = state or None  # the form's "any" sends an empty state
    if state is not None and state not in OUTBOX_STATES:
        raise InvalidInput(f"state: one of {', '.join(OUTBOX_STATES)}")
    rows, following = await run_in_threadpool(
        lambda: services.messaging().outbox_page(
            session.user, limit=PAGE_SIZE, before=_cursor(before), status=state or None
        )
    )
    reader = reader_policy(services)
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
    """A sent message's life: its state and why, its attempts, the receiver's signed receipt,
    each change of state; the page is marked with the message's own marking."""
    session = await page_session(request)
    require_role(session, Role.OFFICER, Role.AUDITOR)
    services = services_of(request)
    view = await run_in_threadpool(
        lambda: services.messaging().status(message_id[:64], session.user)
    )
    banner = banner_of(label_from_dict(view["label"]), services.engine.policies,
                       reader_policy(services))  # fmt: skip
    return render(request, "outbox_message.html", session, message=view, banners=[banner],
                  marking=banner.text)  # fmt: skip


@router.get("/inbox")
@console_page
async def inbox_page(
    request: Request,
    before: str | None = None,
    sender: str | None = None,
    capability: str | None = None,
) -> Response:
    """What this officer may read of what partners sent, newest first, 50 a page; from one
    nation, for one capability, if asked."""
    session = await page_session(request)
    require_role(session, Role.OFFICER)
    services = services_of(request)
    filters = {
        "sender_nation": nation_code(sender[:64]) if sender else None,
        "capability": capability_of(capability[:64]).value if capability else None,
    }
    rows, following = await run_in_threadpool(
        lambda: services.inbox().page_for(
            session.user, limit=PAGE_SIZE, before=_cursor(before), **filters
        )
    )
    reader = reader_policy(services)
    banners = [_marking_banner(reader, row["label"]) for row in rows]
    shown = {"sender": filters["sender_nation"] or "", "capability": filters["capability"] or ""}
    return render(request, "inbox.html", session, banners=banners, rows=rows, filters=shown,
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
    session = await page_session(request)
    require_role(session, Role.OFFICER)
    services = services_of(request)
    listed, content = await run_in_threadpool(
        lambda: services.inbox().read_marked(session.user, message_id[:64])
    )
    banner = _marking_banner(reader_policy(services), listed["label"])
    try:
        text: str | None = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return render(request, "read.html", session, banners=[banner], message=listed, text=text,
                  size=len(content))  # fmt: skip


@router.post("/outbox/retry")
@console_page
async def retry_message(request: Request) -> Response:
    """Send a message again at once (operators), by its id: one the partner refused, one held,
    one waiting to retry. The answer is its id and new state only: operators do not read the
    outbox (docs/node.md, "Who sees what")."""
    session, form = await posted(request, Role.OPERATOR)
    services = services_of(request)
    message = form_text(form, "message", 64)
    view = await run_in_threadpool(lambda: services.messaging().retry(message))
    return render(request, "retried.html", session, message=str(view["id"]),
                  state=str(view["status"]))  # fmt: skip
