"""What every console page shares: the templates, the security headers, the navigation by
role, the marking banner, errors as pages, and the signed-in session and its forms.

Each page translates: it asks the node's services (the same as the API's and the CLI's) and
renders what they answer; it decides nothing itself. Every page carries the security headers
below (no inline script or style, no framing), a marking banner at its top and bottom
(``web.markings``) and, for a signed-in user, only the navigation their role may use; a page or
an action of another role is refused if its URL is forced (403).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, ParamSpec

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from accord.errors import AccordError, InvalidInput, TooLarge
from accord.node.console_sessions import ConsoleSession
from accord.node.labels import policy_of
from accord.node.services import NodeServices
from accord.node.users import Role
from accord.web.auth import SignInNeeded, check_form, check_origin, require_role, signed_in
from accord.web.markings import Banner, highest, system_high

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


P = ParamSpec("P")


def services_of(request: Request) -> NodeServices:
    services: NodeServices = request.app.state.services
    return services


def reader_policy(services: NodeServices) -> Any:
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
    services = services_of(request)
    reader = reader_policy(services)
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


def console_page(handler: Callable[P, Awaitable[Response]]) -> Callable[P, Awaitable[Response]]:
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


async def page_session(request: Request) -> ConsoleSession:
    session = await signed_in(request)
    request.state.console_session = session
    return session


async def posted(request: Request, *roles: Role) -> tuple[ConsoleSession, FormData]:
    """A form posted by a user of one of ``roles``, with the session's CSRF token, from this
    console's own origin; its fields."""
    session = await page_session(request)
    require_role(session, *roles)
    form = await request.form()
    check_form(request, session.csrf, form.get("csrf"))
    return session, form


#: The largest form the console takes (its request limit, less the form's own fields);
#: larger files go by the API or the CLI.
CONSOLE_UPLOAD = 1024 * 1024 - 4096


async def streamed_form(
    request: Request, *roles: Role, limit: int, field_limit: int
) -> tuple[ConsoleSession, FormData]:
    """A form with a large file (a path the middleware streams): the session, the role and the
    origin checked from the headers before any of the body is read; the body counted against
    ``limit`` as it arrives (its file spooled to disk beyond 1 MiB by Starlette's parser, its
    other fields at most ``field_limit`` bytes each); then the form's CSRF token."""
    session = await page_session(request)
    require_role(session, *roles)
    check_origin(request)

    async def counted() -> AsyncGenerator[bytes, None]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"a form is at most {limit} bytes here")
            yield chunk

    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    parser: MultiPartParser | FormParser
    if kind == "multipart/form-data":
        parser = MultiPartParser(request.headers, counted(), max_files=1, max_fields=16,
                                 max_part_size=field_limit)  # fmt: skip
    elif kind == "application/x-www-form-urlencoded":
        parser = FormParser(request.headers, counted(), max_fields=16, max_part_size=field_limit)
    else:
        raise InvalidInput("send the form as a browser does (multipart/form-data)")
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidInput(f"the form: {error.message}") from None
    check_form(request, session.csrf, form.get("csrf"))
    return session, form


def template(name: str) -> jinja2.Template:
    """A template of the console (a page's fragment, rendered without the page around it)."""
    return _ENVIRONMENT.get_template(name)
