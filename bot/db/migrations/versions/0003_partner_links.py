"""partner links: invitations, couples, guessing throttle, users' names

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("name_sealed", sa.Text(), nullable=True))
    op.create_table(
        "invites",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("inviter_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "couples",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("first_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("second_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("unlinked_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "link_attempts",
        sa.Column("id", AUTO_ID, primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("link_attempts")
    op.drop_table("couples")
    op.drop_table("invites")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("name_sealed")
