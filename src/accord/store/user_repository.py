"""The users' repository: the node's users and their API tokens (only each token's SHA-256 is
stored)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from accord.policy.principals import Role, User
from accord.store.tables import tokens, users


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenHolder:
    """The user a token hash belongs to, with the token's own expiry and revocation."""

    user: User
    expires_at: str
    revoked_at: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRecord:
    """What is known of an API token: who it acts for, when it was made, when it expires or was
    revoked. Never the token: only its SHA-256 is stored, and that is not shown either."""

    id: str
    user: str
    created_at: str
    expires_at: str
    revoked_at: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "user": self.user,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }


def user_from_row(row: sa.Row[tuple[object, ...]]) -> User:
    return User(
        name=str(row.name),
        role=Role(str(row.role)),
        clearance=None if row.clearance is None else str(row.clearance),
        categories=tuple(row.categories or ()),
        created_at=str(row.created_at),
        revoked_at=None if row.revoked_at is None else str(row.revoked_at),
    )


#: Built once: it runs on every API request whose token is not believed already.
_TOKEN_HOLDER = (
    sa.select(users, tokens.c.expires_at, tokens.c.revoked_at.label("token_revoked"))
    .join(tokens, tokens.c.user_name == users.c.name)
    .where(tokens.c.token_hash == sa.bindparam("token_hash"))
)


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, name: str) -> User | None:
        row = self.connection.execute(sa.select(users).where(users.c.name == name)).first()
        return None if row is None else user_from_row(row)

    def all(self) -> list[User]:
        return [
            user_from_row(r)
            for r in self.connection.execute(sa.select(users).order_by(users.c.name))
        ]

    def add(self, user: User) -> bool:
        """Store a new user; False if the name is taken."""
        if self.get(user.name) is not None:
            return False
        self.connection.execute(
            sa.insert(users).values(
                name=user.name,
                role=user.role.value,
                clearance=user.clearance,
                categories=list(user.categories),
                created_at=user.created_at,
                revoked_at=user.revoked_at,
            )
        )
        return True

    def revoke(self, name: str, now: str) -> None:
        """Revoke the user and every token of theirs."""
        self.connection.execute(
            sa.update(users)
            .where(users.c.name == name, users.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        self.connection.execute(
            sa.update(tokens)
            .where(tokens.c.user_name == name, tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def add_token(
        self, *, token_id: str, user: str, token_hash: str, created_at: str, expires_at: str
    ) -> None:
        self.connection.execute(
            sa.insert(tokens).values(
                id=token_id,
                user_name=user,
                token_hash=token_hash,
                created_at=created_at,
                expires_at=expires_at,
                revoked_at=None,
            )
        )

    def token_records(self, user: str | None = None) -> list[TokenRecord]:
        """Every token's record (never its secret, which is not stored), oldest first."""
        statement = sa.select(
            tokens.c.id, tokens.c.user_name, tokens.c.created_at, tokens.c.expires_at,
            tokens.c.revoked_at,
        ).order_by(tokens.c.created_at, tokens.c.id)  # fmt: skip
        if user is not None:
            statement = statement.where(tokens.c.user_name == user)
        return [
            TokenRecord(
                id=str(r.id),
                user=str(r.user_name),
                created_at=str(r.created_at),
                expires_at=str(r.expires_at),
                revoked_at=None if r.revoked_at is None else str(r.revoked_at),
            )
            for r in self.connection.execute(statement)
        ]

    def revoke_token(self, token_id: str, now: str) -> bool:
        done = self.connection.execute(
            sa.update(tokens)
            .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(done.rowcount == 1)

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        row = self.connection.execute(_TOKEN_HOLDER, {"token_hash": token_hash}).first()
        if row is None:
            return None
        return TokenHolder(
            user=user_from_row(row),
            expires_at=str(row.expires_at),
            revoked_at=None if row.token_revoked is None else str(row.token_revoked),
        )
