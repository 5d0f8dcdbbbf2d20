"""The inbox of messages received from partners.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("sender_node", sa.String(256), nullable=False),
        sa.Column("sender_nation", sa.String(3), nullable=False),
        sa.Column("capability", sa.String(64), nullable=False),
        sa.Column("activity", sa.String(64), nullable=True),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("local_label", sa.JSON(), nullable=False),
        sa.Column("local_marking", sa.Text(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
    )


def downgrade() -> None:
    op.drop_table("inbox")
