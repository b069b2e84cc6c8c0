"""nudges, commitments and their check-ins, weekly recovery check-ins

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True, index=True),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.UniqueConstraint("user_id", "kind", "ref", name="uq_nudges_user_kind_ref"),
    )
    op.create_table(
        "nudges_sent",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurrence", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "kind", "occurrence", name="uq_nudges_sent_occurrence"),
    )
    op.create_table(
        "commitments",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("text_sealed", sa.Text(), nullable=False),
        sa.Column("days", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("visible_to_partner", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "checkins",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("commitment_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("note_sealed", sa.Text(), nullable=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("noticed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("commitment_id", "day", name="uq_checkins_day"),
    )
    op.create_table(
        "weekly_checkins",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("ratings_sealed", sa.Text(), nullable=False),
        sa.Column("shared_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "week_start", name="uq_weekly_week"),
    )


def downgrade() -> None:
    for table in ("weekly_checkins", "checkins", "commitments", "nudges_sent", "nudges"):
        op.drop_table(table)
