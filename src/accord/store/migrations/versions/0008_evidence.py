"""Evidence grades on agreement events and designations (official, reported, secondary,
inferred; what was stored before is ``reported``, the reading it was entered under), and the
agreements the register does not know exist.

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


def downgrade() -> None:
    op.drop_table("agreement_unknowns")
    for table in ("agreement_events", "designations"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("grade")
