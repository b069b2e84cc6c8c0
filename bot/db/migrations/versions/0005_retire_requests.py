"""agreements: who asked to retire an agreement, awaiting the other's confirmation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.add_column(sa.Column("retire_requested_by", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreements") as batch_op:
        batch_op.drop_column("retire_requested_by")
