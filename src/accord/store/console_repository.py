"""The console's repository: users' password hashes, sessions (only the SHA-256 of each
session's cookie is stored) and failed sign-ins."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.policy.principals import User
from accord.store.tables import console_sessions, signin_failures, users
from accord.store.user_repository import user_from_row


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRecord:
    """A console session and the user it is for (never the cookie: only its hash is kept)."""

    user: User
    csrf: str
    created_at: str
    seen_at: str
    ended_at: str | None


_SESSION = (
    sa.select(
        users,
        console_sessions.c.csrf,
        console_sessions.c.created_at.label("session_created"),
        console_sessions.c.seen_at,
        console_sessions.c.ended_at,
    )
    .join(console_sessions, console_sessions.c.user_name == users.c.name)
    .where(console_sessions.c.id_hash == sa.bindparam("id_hash"))
)


class ConsoleRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- passwords ---------------------------------------------------------------------------

    def set_password_hash(self, name: str, password_hash: str | None) -> None:
        self.connection.execute(
            sa.update(users).where(users.c.name == name).values(password_hash=password_hash)
        )

    def password_hash(self, name: str) -> tuple[User, str | None] | None:
        """The user named and their password hash, or None when there is no such user."""
        row = self.connection.execute(sa.select(users).where(users.c.name == name)).first()
        if row is None:
            return None
        return user_from_row(row), None if row.password_hash is None else str(row.password_hash)

    # -- sessions ----------------------------------------------------------------------------

    def add_session(self, *, id_hash: str, user: str, csrf: str, now: str) -> None:
        self.connection.execute(
            sa.insert(console_sessions).values(
                id_hash=id_hash, user_name=user, csrf=csrf, created_at=now, seen_at=now,
                ended_at=None,
            )
        )  # fmt: skip

    def session(self, id_hash: str) -> SessionRecord | None:
        row = self.connection.execute(_SESSION, {"id_hash": id_hash}).first()
        if row is None:
            return None
        return SessionRecord(
            user=user_from_row(row),
            csrf=str(row.csrf),
            created_at=str(row.session_created),
            seen_at=str(row.seen_at),
            ended_at=None if row.ended_at is None else str(row.ended_at),
        )

    def touch(self, id_hash: str, now: str) -> None:
        self.connection.execute(
            sa.update(console_sessions)
            .where(console_sessions.c.id_hash == id_hash)
            .values(seen_at=now)
        )

    def end_session(self, id_hash: str, now: str) -> None:
        self.connection.execute(
            sa.update(console_sessions)
            .where(console_sessions.c.id_hash == id_hash, console_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )

    def end_sessions_of(self, user: str, now: str) -> None:
        """End every session of ``user`` (a new password, a revoked user)."""
        self.connection.execute(
            sa.update(console_sessions)
            .where(console_sessions.c.user_name == user, console_sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )

    # -- failed sign-ins ---------------------------------------------------------------------

    def add_failure(self, name: str, now: str) -> None:
        self.connection.execute(sa.insert(signin_failures).values(user_name=name, at=now))

    def failures_since(self, name: str, since: str) -> list[str]:
        """When sign-ins as ``name`` failed since ``since``, oldest first."""
        return [
            str(at)
            for at in self.connection.scalars(
                sa.select(signin_failures.c.at)
                .where(signin_failures.c.user_name == name, signin_failures.c.at >= since)
                .order_by(signin_failures.c.at)
            )
        ]

    def clear_failures(self, name: str) -> None:
        self.connection.execute(
            sa.delete(signin_failures).where(signin_failures.c.user_name == name)
        )
