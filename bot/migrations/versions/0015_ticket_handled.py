"""a 留言 may be handled without a reply (after a phone call), with staff's note

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("replied", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("replied")
