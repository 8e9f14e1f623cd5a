"""outbox rows can wait for a mass send with the rest of their batch

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("mass_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_batch"), ["batch"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_batch"))
        batch_op.drop_column("mass_id")
        batch_op.drop_column("batch")
