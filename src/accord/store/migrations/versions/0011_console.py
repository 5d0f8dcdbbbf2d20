"""The console: users' password hashes (argon2id), sessions (only each cookie's SHA-256 kept),
failed sign-ins (what slows the next ones down), and the indexes its pages of the outbox and the
inbox read newest first.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("password_hash", sa.String(256), nullable=True))
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("seen_at", sa.String(40), nullable=False),
        sa.Column("ended_at", sa.String(40), nullable=True),
    )
    op.create_index("ix_console_sessions_user_name", "console_sessions", ["user_name"])
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_signin_failures_user_name", "signin_failures", ["user_name"])
    # The console's pages of the outbox and the inbox, newest first.
    op.create_index("ix_outbox_created_at_id", "outbox", ["created_at", "id"])
    op.create_index("ix_outbox_status_created_at", "outbox", ["status", "created_at"])
    op.create_index("ix_outbox_status_updated_at", "outbox", ["status", "updated_at"])
    op.create_index("ix_inbox_received_at_id", "inbox", ["received_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_received_at_id", "inbox")
    op.drop_index("ix_outbox_status_updated_at", "outbox")
    op.drop_index("ix_outbox_status_created_at", "outbox")
    op.drop_index("ix_outbox_created_at_id", "outbox")
    op.drop_table("signin_failures")
    op.drop_table("console_sessions")
    with op.batch_alter_table("users") as users:
        users.drop_column("password_hash")
