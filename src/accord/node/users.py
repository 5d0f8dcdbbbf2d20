"""The node's users and their API tokens.

A user belongs to the node's nation, holds a role (``officer``: release and read; ``operator``:
agreements, peers, users; ``auditor``: the log and decisions), and, for officers, a clearance: a
level of the national policy and the categories held. Tokens are 256 random bits shown once; only
their SHA-256 is stored; they expire and can be revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from accord.clock import Clock
from accord.errors import Conflict, InvalidInput, NotFound
from accord.labels.security_policy import SecurityPolicy
from accord.policy.clearances import national_clearance
from accord.policy.principals import Role, User
from accord.store.database import Database
from accord.store.user_repository import TokenRecord, UserRepository

_NAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
#: How long (seconds) a token once found valid is believed without asking the database again. A
#: token revoked through this process stops working at once; one revoked by another process (the
#: CLI beside a running server, another worker) within this many seconds.
TOKEN_CACHE_SECONDS = 2.0
_TOKEN_CACHE_SIZE = 4096
TOKEN_PREFIX = "acc_"  # noqa: S105 (a prefix that makes tokens recognisable, not a secret)


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    id: str
    user: str
    token: str
    expires_at: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserService:
    def __init__(
        self, database: Database, clock: Clock, policy: SecurityPolicy, nation: str
    ) -> None:
        self.database = database
        self.clock = clock
        self.policy = policy
        self.nation = nation
        # token hash -> (user, token expiry, believed until (monotonic seconds))
        self._believed: dict[str, tuple[User, str, float]] = {}
        self._believed_lock = threading.Lock()

    def _forget_tokens(self) -> None:
        with self._believed_lock:
            self._believed.clear()

    def _now(self) -> str:
        return self.clock.now().astimezone(dt.UTC).isoformat()

    def add(self, name: str, role: str, clearance: str | None, categories: Iterable[str]) -> User:
        if not _NAME.match(name):
            raise InvalidInput(
                f"user name {name!r}: lower-case letters, digits, '.', '_', '-' (2-64)"
            )
        try:
            parsed_role = Role(role)
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidInput(f"unknown role {role!r}; roles are {known}") from None
        held = tuple(sorted(set(categories)))
        if clearance is not None:
            # Refuse a level or category the national policy does not have, before storing it.
            national_clearance(self.policy, clearance, self.nation, self.clock.today(), held)
        elif parsed_role is Role.OFFICER:
            raise InvalidInput("an officer needs a clearance (--clearance LEVEL)")
        user = User(
            name=name,
            role=parsed_role,
            clearance=clearance,
            categories=held,
            created_at=self._now(),
        )
        with self.database.transaction() as connection:
            if not UserRepository(connection).add(user):
                raise Conflict(f"user {name} exists")
        return user

    def get(self, name: str) -> User:
        with self.database.reading() as connection:
            found = UserRepository(connection).get(name)
        if found is None:
            raise NotFound(f"no user {name!r}")
        return found

    def list(self) -> list[User]:
        with self.database.reading() as connection:
            return UserRepository(connection).all()

    def revoke(self, name: str) -> User:
        """Revoke a user and every token of theirs."""
        self.get(name)
        now = self._now()
        with self.database.transaction() as connection:
            UserRepository(connection).revoke(name, now)
        self._forget_tokens()  # after the commit: no reader can cache the old answer again
        return self.get(name)

    def require(self, name: str, role: Role) -> User:
        """The active user ``name`` holding ``role``; otherwise refused (and why)."""
        user = self.get(name)
        if not user.active:
            raise InvalidInput(f"user {name} is revoked")
        if user.role is not role:
            raise InvalidInput(f"user {name} is an {user.role.value}; this needs an {role.value}")
        return user

    # -- tokens -----------------------------------------------------------------------------

    def create_token(
        self, name: str, lifetime: dt.timedelta = dt.timedelta(days=90)
    ) -> IssuedToken:
        user = self.get(name)
        if not user.active:
            raise InvalidInput(f"user {name} is revoked")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = secrets.token_hex(8)
        expires = (self.clock.now() + lifetime).astimezone(dt.UTC).isoformat()
        with self.database.transaction() as connection:
            UserRepository(connection).add_token(
                token_id=token_id,
                user=name,
                token_hash=_hash(token),
                created_at=self._now(),
                expires_at=expires,
            )
        return IssuedToken(id=token_id, user=name, token=token, expires_at=expires)

    def tokens(self, user: str | None = None) -> tuple[TokenRecord, ...]:
        """The API tokens (of ``user``, or all), without their secrets."""
        if user is not None:
            self.get(user)  # an unknown user is refused, not answered with an empty list
        with self.database.reading() as connection:
            return tuple(UserRepository(connection).token_records(user))

    def revoke_token(self, token_id: str) -> None:
        with self.database.transaction() as connection:
            done = UserRepository(connection).revoke_token(token_id, self._now())
        self._forget_tokens()
        if not done:
            raise NotFound(f"no active token {token_id!r}")

    def believed(self, token: str) -> User | None:
        """The user of a token found valid in the last ``TOKEN_CACHE_SECONDS`` and not expired
        since, without touching the database; None means "ask ``authenticate``"."""
        digest = _hash(token)
        with self._believed_lock:
            found = self._believed.get(digest)
        if found is None:
            return None
        user, expires_at, until = found
        if time.monotonic() >= until or expires_at <= self._now():
            return None
        return user

    def authenticate(self, token: str) -> User:
        """The user a token belongs to; one opaque refusal for unknown, expired or revoked."""
        refused = InvalidInput("the token is not valid")
        if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
            raise refused
        digest = _hash(token)
        with self.database.reading() as connection:
            holder = UserRepository(connection).token_holder(digest)
        if holder is None or holder.revoked_at is not None or holder.expires_at <= self._now():
            raise refused
        user = holder.user
        if not user.active:
            raise refused
        with self._believed_lock:
            if len(self._believed) >= _TOKEN_CACHE_SIZE:
                self._believed.clear()
            until = time.monotonic() + TOKEN_CACHE_SECONDS
            self._believed[digest] = (user, holder.expires_at, until)
        return user


__all__ = ["TOKEN_PREFIX", "IssuedToken", "Role", "User", "UserService"]
