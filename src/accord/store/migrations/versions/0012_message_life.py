"""A message's life and a peer's last contact: each change of an outbox message's state after its
release (held, a send that failed for a new reason, delivered, refused, retried, decided again)
with its time and reason; and, for each peer, when it last answered a delivery and when it last
sent this node a request that passed the gate.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_history_message_id", "outbox_history", ["message_id", "id"])
    with op.batch_alter_table("peers") as peers:
        peers.add_column(sa.Column("reached_at", sa.String(40), nullable=True))
        peers.add_column(sa.Column("heard_at", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("peers") as peers:
        peers.drop_column("heard_at")
        peers.drop_column("reached_at")
    op.drop_index("ix_outbox_history_message_id", "outbox_history")
    op.drop_table("outbox_history")
