"""The console's sign-in and sessions.

Passwords are hashed with argon2id (RFC 9106; ``argon2-cffi``'s defaults, its first recommended
profile's memory-constrained variant). A sign-in that fails is recorded under the name given,
whether or not such a user exists; after five failures within 15 minutes each further attempt
under that name must wait, twice as long after each failure (30 s, 1 min, 2 min ... at most 15
min), and is refused before the password is even checked. Every refusal says the same thing for
a name that exists and one that does not, and a name with no user still costs one argon2id
verification, so neither the answer nor its time tells whether an account exists.

A session is 256 random bits in a cookie; only its SHA-256 is stored, beside a CSRF token that
every form of the session carries back. A session ends when its user signs out, after 30 minutes
without a request (idle), after 12 hours however used (absolute), when its user's password
changes, and when its user is revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from accord.clock import Clock
from accord.errors import InvalidInput, NotFound, TooManyAttempts, Unauthenticated
from accord.policy.principals import User
from accord.store.console_repository import ConsoleRepository
from accord.store.database import Database

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
#: Failures within this window count; after ``FREE_FAILURES`` of them, attempts wait.
FAILURE_WINDOW = dt.timedelta(minutes=15)
FREE_FAILURES = 5
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(minutes=15)
#: A password's length in characters (NIST SP 800-63B section 3.1.1.2: at least 8; here 12)
#: and at most this many bytes, checked before hashing (hashing is the expensive part).
MIN_PASSWORD = 12
MAX_PASSWORD_BYTES = 1024
#: A session's seen time is written at most this often (a page view need not be a write).
_TOUCH_EVERY = dt.timedelta(seconds=60)

_HASHER = PasswordHasher()
#: Verified when the name has no user or no password, so a refusal takes as long either way.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleSession:
    """A signed-in user's session: who, and the CSRF token its forms carry."""

    user: User
    csrf: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedIn:
    """A new session: the cookie's value (shown once, to the browser) and the session."""

    cookie: str
    session: ConsoleSession


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def check_password_form(password: str) -> None:
    """Refuse a password too short or too long before anything hashes it."""
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise InvalidInput(f"a password is at most {MAX_PASSWORD_BYTES} bytes")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")


class ConsoleSessions:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def _now(self) -> dt.datetime:
        return self.clock.now().astimezone(dt.UTC)

    # -- passwords ---------------------------------------------------------------------------

    def set_password(self, name: str, password: str) -> None:
        """Give ``name`` a console password; every session of theirs ends."""
        check_password_form(password)
        hashed = _HASHER.hash(password)
        now = self._now().isoformat()
        with self.database.transaction() as connection:
            repository = ConsoleRepository(connection)
            found = repository.password_hash(name)
            if found is None:
                raise NotFound(f"no user {name!r}")
            if not found[0].active:
                raise InvalidInput(f"user {name} is revoked")
            repository.set_password_hash(name, hashed)
            repository.end_sessions_of(name, now)
            repository.clear_failures(name)

    # -- signing in and out ------------------------------------------------------------------

    def wait_until(self, name: str) -> dt.datetime | None:
        """When the next sign-in as ``name`` may be tried, if it must wait."""
        now = self._now()
        with self.database.reading() as connection:
            failures = ConsoleRepository(connection).failures_since(
                name, (now - FAILURE_WINDOW).isoformat()
            )
        if len(failures) < FREE_FAILURES:
            return None
        wait = min(FIRST_WAIT * 2 ** (len(failures) - FREE_FAILURES), LONGEST_WAIT)
        until = dt.datetime.fromisoformat(failures[-1]) + wait
        return until if until > now else None

    def sign_in(self, name: str, password: str) -> SignedIn:
        """A new session for ``name``, or one opaque refusal (``Unauthenticated``), or
        ``TooManyAttempts`` while the name must wait."""
        refused = Unauthenticated("the user name or the password is not right")
        name = name[:64]
        until = self.wait_until(name)
        if until is not None:
            raise TooManyAttempts(
                "too many failed sign-ins under this name: try again after "
                f"{until.strftime('%H:%M:%S')} UTC"
            )
        if len(password.encode()) > MAX_PASSWORD_BYTES:
            self._failed(name)
            raise refused
        with self.database.reading() as connection:
            found = ConsoleRepository(connection).password_hash(name)
        user, hashed = (None, None) if found is None else found
        try:
            _HASHER.verify(hashed or _DUMMY_HASH, password)
            verified = hashed is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            verified = False
        if not verified or user is None or not user.active:
            self._failed(name)
            raise refused
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.database.transaction() as connection:
            repository = ConsoleRepository(connection)
            repository.add_session(
                id_hash=_hash(cookie), user=name, csrf=csrf, now=self._now().isoformat()
            )
            repository.clear_failures(name)
        return SignedIn(cookie=cookie, session=ConsoleSession(user=user, csrf=csrf))

    def _failed(self, name: str) -> None:
        with self.database.transaction() as connection:
            ConsoleRepository(connection).add_failure(name, self._now().isoformat())

    def session(self, cookie: str) -> ConsoleSession:
        """The live session a cookie names; ``Unauthenticated`` (one opaque refusal) when it
        is unknown, ended, idle too long, too old, or its user revoked."""
        refused = Unauthenticated("sign in to use the console")
        if not cookie or len(cookie) > 128:
            raise refused
        id_hash = _hash(cookie)
        now = self._now()
        with self.database.reading() as connection:
            record = ConsoleRepository(connection).session(id_hash)
        if record is None or record.ended_at is not None or not record.user.active:
            raise refused
        seen = dt.datetime.fromisoformat(record.seen_at)
        created = dt.datetime.fromisoformat(record.created_at)
        if now - seen > IDLE_TIMEOUT or now - created > ABSOLUTE_TIMEOUT:
            with self.database.transaction() as connection:
                ConsoleRepository(connection).end_session(id_hash, now.isoformat())
            raise refused
        if now - seen > _TOUCH_EVERY:
            with self.database.transaction() as connection:
                ConsoleRepository(connection).touch(id_hash, now.isoformat())
        return ConsoleSession(user=record.user, csrf=record.csrf)

    def sign_out(self, cookie: str) -> None:
        with self.database.transaction() as connection:
            ConsoleRepository(connection).end_session(_hash(cookie), self._now().isoformat())
