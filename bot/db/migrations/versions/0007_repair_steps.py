"""the repair steps: private reflections, and the deep-listening exercise

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reflections",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("couple_id", sa.BigInteger(), nullable=True, index=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("answers_sealed", sa.Text(), nullable=False),
        sa.Column("reveal", sa.String(length=8), nullable=True),
        sa.Column("shared_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "listening_exercises",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("couple_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("speaker_id", sa.BigInteger(), nullable=False),
        sa.Column("listener_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("paused_by", sa.BigInteger(), nullable=True),
        sa.Column("resume_status", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "listening_turns",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("exercise_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("text_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("listening_turns", "listening_exercises", "reflections"):
        op.drop_table(table)
