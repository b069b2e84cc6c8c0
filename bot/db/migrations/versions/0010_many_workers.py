"""many workers: the send budget they share; indexes for stranded updates and claims

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_pace",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    waiting = sa.text("handled_at IS NULL")
    op.create_index(
        "ix_inbox_waiting", "inbox", ["received_at"], postgresql_where=waiting, sqlite_where=waiting
    )
    op.create_index("ix_nudges_due_order", "nudges", ["due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_nudges_due_order", table_name="nudges")
    op.drop_index("ix_inbox_waiting", table_name="inbox")
    op.drop_table("send_pace")
