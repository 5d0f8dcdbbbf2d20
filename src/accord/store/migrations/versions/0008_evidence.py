"""Evidence grades on agreement events and designations (official, reported, secondary,
inferred); what was stored before is ``reported``, the reading it was entered under.

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


def downgrade() -> None:
    for table in ("agreement_events", "designations"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("grade")
