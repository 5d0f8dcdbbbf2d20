"""The register of agreements.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_register_meta"),
    )
    op.create_table(
        "agreement_types",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_agreement_types"),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("publisher", sa.String(300), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("date", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("type_code", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("signatories", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("caveats", sa.JSON(), nullable=False),
        sa.Column("extra_capabilities", sa.JSON(), nullable=False),
        sa.Column("entry_into_force", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agreements"),
    )
    op.create_index("ix_agreements_type_code", "agreements", ["type_code"])
    op.create_table(
        "agreement_parties",
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("nation", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            ondelete="CASCADE",
            name="fk_agreement_parties_agreement_id_agreements",
        ),
        sa.PrimaryKeyConstraint("agreement_id", "nation", name="pk_agreement_parties"),
    )
    op.create_index("ix_agreement_parties_nation", "agreement_parties", ["nation"])
    op.create_table(
        "agreement_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("date", sa.String(32), nullable=False),
        sa.Column("date_earliest", sa.Date(), nullable=False),
        sa.Column("date_latest", sa.Date(), nullable=False),
        sa.Column("term", sa.String(64), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            ondelete="CASCADE",
            name="fk_agreement_events_agreement_id_agreements",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agreement_events"),
        sa.UniqueConstraint(
            "agreement_id", "position", name="uq_agreement_events_agreement_id_position"
        ),
    )
    op.create_index("ix_agreement_events_agreement_id", "agreement_events", ["agreement_id"])
    op.create_table(
        "designations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nation", sa.String(3), nullable=False),
        sa.Column("by_nation", sa.String(3), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("date", sa.String(32), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_designations"),
    )
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nations", sa.JSON(), nullable=False),
        sa.Column("date", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_milestones"),
    )


def downgrade() -> None:
    for table in (
        "milestones",
        "designations",
        "agreement_events",
        "agreement_parties",
        "agreements",
        "sources",
        "agreement_types",
        "register_meta",
    ):
        op.drop_table(table)
