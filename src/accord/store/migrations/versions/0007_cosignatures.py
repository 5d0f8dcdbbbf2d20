"""Cosignatures of this node's checkpoints, by the peers that witness its log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tlog_cosignatures",
        sa.Column("witness", sa.String(256), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("cosignature", sa.Text(), nullable=False),
        sa.Column("witness_key", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("witness", "size", name="pk_tlog_cosignatures"),
    )


def downgrade() -> None:
    op.drop_table("tlog_cosignatures")
