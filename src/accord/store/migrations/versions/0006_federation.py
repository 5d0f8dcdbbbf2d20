"""Federation: peers, seen request nonces, receipts this node issued, delivery state per message.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("node", sa.String(256), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("node", name="pk_peers"),
    )
    op.create_table(
        "federation_nonces",
        sa.Column("origin", sa.String(256), nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("origin", "nonce", name="pk_federation_nonces"),
    )
    op.create_index("ix_federation_nonces_seen_at", "federation_nonces", ["seen_at"])
    op.create_table(
        "receipts_issued",
        sa.Column("envelope_id", sa.String(64), nullable=False),
        sa.Column("sender_node", sa.String(256), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("envelope_id", "sender_node", name="pk_receipts_issued"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.String(40), nullable=True))
        batch.add_column(sa.Column("txn_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("receipt", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for column in ("updated_at", "receipt", "status_reason", "txn_id", "next_attempt_at"):
            batch.drop_column(column)
        batch.drop_column("attempts")
    op.drop_table("receipts_issued")
    op.drop_index("ix_federation_nonces_seen_at", "federation_nonces")
    op.drop_table("federation_nonces")
    op.drop_table("peers")
