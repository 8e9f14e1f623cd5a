"""conversation rows without a step on screen; the reporter's phone on care reports; staff
alerts' own index in the outbox

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

_STAFF = sa.text("kind = 'staff'")


def upgrade() -> None:
    """Apply this revision."""
    # A row may now hold only a kept task or what the conversation remembers.
    with op.batch_alter_table("conversation_states") as batch_op:
        batch_op.alter_column("step", existing_type=sa.String(length=64), nullable=True)
    with op.batch_alter_table("care_reports") as batch_op:
        batch_op.add_column(sa.Column("reporter_phone", sa.String(length=20), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.create_index("ix_outbox_staff_due", ["due_at"], unique=False,
                              sqlite_where=_STAFF, postgresql_where=_STAFF)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_staff_due", sqlite_where=_STAFF, postgresql_where=_STAFF)
    with op.batch_alter_table("care_reports") as batch_op:
        batch_op.drop_column("reporter_phone")
    op.execute("DELETE FROM conversation_states WHERE step IS NULL")
    with op.batch_alter_table("conversation_states") as batch_op:
        batch_op.alter_column("step", existing_type=sa.String(length=64), nullable=False)
