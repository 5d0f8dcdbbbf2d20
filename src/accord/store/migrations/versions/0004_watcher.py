"""The lifecycle watcher: alerts and the last status seen per agreement.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint(
            "kind",
            "agreement_id",
            "horizon_days",
            "day",
            name="uq_alerts_kind_agreement_id_horizon_days_day",
        ),
    )
    op.create_table(
        "watch_state",
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("until", sa.String(40), nullable=True),
        sa.Column("checked_on", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", name="pk_watch_state"),
    )


def downgrade() -> None:
    op.drop_table("watch_state")
    op.drop_table("alerts")
