"""who an unbound reporter said they are while binding, kept with their care report

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("care_reports") as batch:
        batch.add_column(sa.Column("claimed", sa.String(length=60)))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("care_reports") as batch:
        batch.drop_column("claimed")
