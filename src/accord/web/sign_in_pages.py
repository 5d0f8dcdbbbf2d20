"""The console's pages open before signing in: the sign-in form, signing out, and the console's
own stylesheet and script."""

from __future__ import annotations

import importlib.resources
import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.errors import NotFound, TooManyAttempts, Unauthenticated
from accord.node.services import NodeServices
from accord.web.auth import SESSION_COOKIE, SIGN_IN_COOKIE, check_form, cookie_of, new_sign_in_token
from accord.web.rendering import SECURITY_HEADERS, console_page, page_session, render, services_of

log = logging.getLogger("accord.console")
router = APIRouter(include_in_schema=False)

#: The console's own files (nothing from a CDN: nodes run air-gapped).
_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}


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
    services = services_of(request)
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
    session = await page_session(request)
    form = await request.form()
    check_form(request, session.csrf, form.get("csrf"))
    cookie = cookie_of(request.scope, SESSION_COOKIE) or ""
    await run_in_threadpool(services_of(request).console.sign_out, cookie)
    response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


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
