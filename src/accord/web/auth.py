"""Who is at the console: the session cookie, the CSRF token of its forms, the roles a page needs.

The session cookie is HttpOnly and SameSite=Strict, Secure when the console is served over TLS,
and holds 256 random bits (the node keeps only their SHA-256: ``node.console_sessions``). Every
form carries the session's CSRF token back in a field named ``csrf`` (the synchronizer token
pattern, OWASP CSRF Prevention Cheat Sheet); a request with an ``Origin`` header from another
origin is refused as well. The sign-in form, which has no session yet, carries a token that
matches a short-lived cookie set with the form (double submit).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from accord.api.middleware import USER_KEY, header_of
from accord.errors import AccordError, Forbidden, InvalidInput, Unauthenticated
from accord.node.console_sessions import ConsoleSession
from accord.node.services import NodeServices
from accord.node.users import Role

SESSION_COOKIE = "accord_session"
SIGN_IN_COOKIE = "accord_sign_in"
#: The largest form the sign-in page accepts, read before anyone is authenticated.
SIGN_IN_FORM_BYTES = 4096


class SignInNeeded(AccordError):
    """No live session: the browser is sent to the sign-in page."""

    http_status = 303
    code = "sign-in-needed"


def cookie_of(scope: Scope, name: str) -> str | None:
    """A cookie's value from the request's ``Cookie`` header (RFC 6265 section 5.4)."""
    header = header_of(scope, b"cookie")
    if not header or len(header) > 8192:
        return None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip()
    return None


async def console_session(services: NodeServices, scope: Scope) -> ConsoleSession:
    """The live session of the request's cookie (``SignInNeeded`` when there is none)."""
    cookie = cookie_of(scope, SESSION_COOKIE)
    if not cookie:
        raise SignInNeeded("sign in to use the console")
    try:
        return await run_in_threadpool(services.console.session, cookie)
    except Unauthenticated:
        raise SignInNeeded("your session ended: sign in again") from None


async def signed_in(request: Request) -> ConsoleSession:
    """The page's user: authenticated by the middleware before a form's body was read, else
    here from the cookie."""
    found = request.scope.get(USER_KEY)
    if isinstance(found, ConsoleSession):
        return found
    services: NodeServices = request.app.state.services
    return await console_session(services, request.scope)


def require_role(session: ConsoleSession, *roles: Role) -> None:
    """Refuse a page or an action the user's role may not use (a forced URL included)."""
    if session.user.role not in roles:
        names = " or ".join(f"{r.value}s" for r in roles)
        raise Forbidden(f"this page is for {names}")


def check_origin(request: Request) -> None:
    """A form comes from this console's own origin (its ``Origin`` header, when the browser
    sends one): checked before the form's body is read."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is not None and origin != own:
        raise Forbidden("the form came from another site")


def check_form(request: Request, expected: str, given: object) -> None:
    """A form's CSRF token is the session's, and it comes from this console's own origin."""
    check_origin(request)
    if not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise Forbidden("the form's security token is missing or stale: reload the page")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


def form_text(form: object, name: str, limit: int = 1024) -> str:
    """A text field of a submitted form, required and at most ``limit`` characters."""
    value = form.get(name) if hasattr(form, "get") else None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name}: required")
    if len(value) > limit:
        raise InvalidInput(f"{name}: at most {limit} characters")
    return value.strip()
