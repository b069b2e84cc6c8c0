"""data rights: message ids for /erase, and outbox words dropped once a call is settled

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch_op.alter_column("payload_sealed", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE payload_sealed IS NULL")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.alter_column("payload_sealed", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("message_id")
    with op.batch_alter_table("inbox") as batch_op:
        batch_op.drop_column("message_id")
