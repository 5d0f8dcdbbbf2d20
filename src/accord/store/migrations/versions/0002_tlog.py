"""The transparency log: head, entries, perfect subtree hashes, checkpoints, witnessed logs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tlog_head",
        sa.Column("log", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("log", name="pk_tlog_head"),
    )
    op.execute("INSERT INTO tlog_head (log, size) VALUES ('main', 0)")
    op.create_table(
        "tlog_entries",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_tlog_entries"),
    )
    op.create_table(
        "tlog_nodes",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_tlog_nodes"),
    )
    op.create_table(
        "tlog_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_tlog_checkpoints"),
    )
    op.create_table(
        "tlog_witnessed",
        sa.Column("origin", sa.String(256), nullable=False),
        sa.Column("log_key", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("checkpoint_note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("origin", name="pk_tlog_witnessed"),
    )


def downgrade() -> None:
    for table in ("tlog_witnessed", "tlog_checkpoints", "tlog_nodes", "tlog_entries", "tlog_head"):
        op.drop_table(table)
