"""The console's pages for operators: users and API tokens, and the peers with their pinned
keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.crypto.descriptor import MAX_DESCRIPTOR_BYTES, describe
from accord.errors import Conflict, InvalidInput, VerificationFailed
from accord.node.console_sessions import ConsoleSession
from accord.node.keys import log_key_of
from accord.node.services import NodeServices
from accord.node.users import Role
from accord.web.auth import form_text, require_role
from accord.web.rendering import (
    SECURITY_HEADERS,
    console_page,
    page_session,
    posted,
    render,
    services_of,
)

router = APIRouter(include_in_schema=False)


# -- users, tokens and peers (operators) -----------------------------------------------------


@router.get("/users")
@console_page
async def users_page(request: Request) -> Response:
    """The node's users and their API tokens (never a token's secret); add, revoke, issue."""
    session = await page_session(request)
    require_role(session, Role.OPERATOR)
    return await _users_page(request, session)


async def _users_page(
    request: Request, session: ConsoleSession, *, status: int = 200, **shown: Any
) -> Response:
    services = services_of(request)
    users, tokens = await run_in_threadpool(
        lambda: (services.users.list(), services.users.tokens())
    )
    context = {"error": "", "issued": None, "values": {}} | shown
    return render(request, "users.html", session, status=status, users=users, tokens=tokens,
                  roles=[r.value for r in Role], **context)  # fmt: skip


@router.post("/users")
@console_page
async def add_user(request: Request) -> Response:
    session, form = await posted(request, Role.OPERATOR)
    services = services_of(request)
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
    session, _ = await posted(request, Role.OPERATOR)
    services = services_of(request)
    issued = await run_in_threadpool(lambda: services.users.create_token(name[:64]))
    return await _users_page(request, session, status=201, issued=issued)


@router.post("/tokens/{token_id}/revoke")
@console_page
async def revoke_token(request: Request, token_id: str) -> Response:
    return await _on_users(request, lambda services: services.users.revoke_token(token_id[:64]))


async def _on_users(request: Request, action: Callable[[NodeServices], object]) -> Response:
    """An operator's action on the users page (its form checked), then the page again."""
    await posted(request, Role.OPERATOR)
    services = services_of(request)
    await run_in_threadpool(lambda: action(services))
    return RedirectResponse("/users", status_code=303, headers=SECURITY_HEADERS)


@router.get("/peers")
@console_page
async def peers_page(request: Request) -> Response:
    """The partner nodes this node federates with: their URLs, last contact and pinned keys (a
    rotated key set pinned from a file), and this node's own keys (rotated here)."""
    session = await page_session(request)
    require_role(session, Role.OPERATOR)
    return await _peers_page(request, session)


async def _peers_page(
    request: Request, session: ConsoleSession, *, status: int = 200, **shown: Any
) -> Response:
    services = services_of(request)
    peers = await run_in_threadpool(lambda: services.peers().list())
    context = {"error": "", "done": ""} | shown
    return render(request, "peers.html", session, status=status, peers=peers,
                  own=services.keys, log_key=log_key_of(services.keys), **context)  # fmt: skip


@router.get("/peers/descriptor")
@console_page
async def own_descriptor(request: Request) -> Response:
    """This node's signed descriptor (public keys only), to give partners after a rotation."""
    session = await page_session(request)
    require_role(session, Role.OPERATOR)
    services = services_of(request)
    described = describe(services.keys, services.clock.now()).encode()
    headers = SECURITY_HEADERS | {
        "Content-Disposition": f'attachment; filename="{services.keys.node}.descriptor.json"'
    }
    return Response(described, media_type="application/json", headers=headers)


@router.post("/peers/keys/rotate")
@console_page
async def rotate_own_keys(request: Request) -> Response:
    """Rotate this node's keys: new ones sign and open from now on (in every process of the
    node, at its next use); the old ones are superseded, still opening and verifying what
    they protected; the transparency log keeps its key."""
    session, _ = await posted(request, Role.OPERATOR)
    services = services_of(request)
    await run_in_threadpool(lambda: services.change_keys("rotate", by=session.user.name))
    return await _peers_page(request, session,
                             done="Rotated: give partners the new descriptor.")  # fmt: skip


@router.post("/peers/{node}/keys")
@console_page
async def update_peer_keys(request: Request, node: str) -> Response:
    """Pin a peer's new descriptor (after its rotation), from a file: refused unless it is that
    peer's and signed by a key its pinned descriptor holds."""
    session, form = await posted(request, Role.OPERATOR)
    services = services_of(request)
    upload = form.get("descriptor")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _peers_page(request, session, status=422,
                                 error="Choose the peer's descriptor file.")  # fmt: skip
    data = await upload.read(MAX_DESCRIPTOR_BYTES + 1)
    try:
        if len(data) > MAX_DESCRIPTOR_BYTES:
            raise InvalidInput(f"a descriptor is at most {MAX_DESCRIPTOR_BYTES} bytes")
        peer = await run_in_threadpool(lambda: services.peers().update_keys(node[:256], data))
    except (InvalidInput, Conflict, VerificationFailed) as error:
        status = 409 if isinstance(error, Conflict) else 422
        return await _peers_page(request, session, status=status, error=error.message)
    return await _peers_page(request, session, done=f"Pinned {peer.node}'s new descriptor.")
