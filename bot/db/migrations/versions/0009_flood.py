"""floods: when a person wrote each update, and which updates were set aside

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.add_column(sa.Column("written_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("absorbed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE inbox SET written_at = received_at")
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.alter_column("written_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index("ix_inbox_written", ["user_id", "written_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.drop_index("ix_inbox_written")
        batch_op.drop_column("absorbed")
        batch_op.drop_column("written_at")
