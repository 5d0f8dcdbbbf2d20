"""Evidence grades on agreement events and designations (official, reported, secondary,
inferred; what was stored before is ``reported``, the reading it was entered under), the
agreements the register does not know exist, and measures between nations.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("agreement_events", "designations"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("grade", sa.String(16), nullable=False, server_default="reported")
            )
    op.create_table(
        "agreement_unknowns",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False, server_default="reported"),
    )
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("nation", sa.String(3), nullable=False),
        sa.Column("by_nation", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("start", sa.String(32), nullable=False),
        sa.Column("end", sa.String(32), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False, server_default="reported"),
    )


def downgrade() -> None:
    op.drop_table("measures")
    op.drop_table("agreement_unknowns")
    for table in ("agreement_events", "designations"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("grade")
