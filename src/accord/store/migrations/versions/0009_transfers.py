"""Equipment transfer cases, their sources and the node's own item categories.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "transfer_categories",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "transfer_cases",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("buyer", sa.String(3), nullable=False, index=True),
        sa.Column("seller", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("transfer_cases")
    op.drop_table("transfer_categories")
    op.drop_table("transfer_sources")
