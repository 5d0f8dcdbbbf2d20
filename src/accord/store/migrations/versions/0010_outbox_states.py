"""The outbox's states are those of ``federation.outbox``: a message the partner refused is
``refused`` (it was ``rejected``), kept with the partner's reason and retryable; a message a
delivery pass claimed is ``sending`` until its receipt, its failure or its lease's end.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE outbox SET status = 'refused' WHERE status = 'rejected'")


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'rejected' WHERE status = 'refused'")
    op.execute("UPDATE outbox SET status = 'queued' WHERE status = 'sending'")
