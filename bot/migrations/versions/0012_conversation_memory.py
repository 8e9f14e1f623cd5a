"""conversation rows without a step on screen; the reporter's phone on care reports

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # A row may now hold only a kept task or what the conversation remembers.
    with op.batch_alter_table("conversation_states") as batch_op:
        batch_op.alter_column("step", existing_type=sa.String(length=64), nullable=True)
    with op.batch_alter_table("care_reports") as batch_op:
        batch_op.add_column(sa.Column("reporter_phone", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("care_reports") as batch_op:
        batch_op.drop_column("reporter_phone")
    op.execute("DELETE FROM conversation_states WHERE step IS NULL")
    with op.batch_alter_table("conversation_states") as batch_op:
        batch_op.alter_column("step", existing_type=sa.String(length=64), nullable=False)
