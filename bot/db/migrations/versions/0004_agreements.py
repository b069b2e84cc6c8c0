"""the agreements ledger: agreements and their versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("couple_id", sa.BigInteger(), nullable=True, index=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "agreement_versions",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("agreement_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text_sealed", sa.Text(), nullable=False),
        sa.Column("why_sealed", sa.Text(), nullable=True),
        sa.Column("proposed_by", sa.BigInteger(), nullable=False),
        sa.Column("awaiting_id", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("agreement_versions")
    op.drop_table("agreements")
