"""study readings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "study_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retiree_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("by_agent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["retiree_id"], ["retirees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("retiree_id", "month"),
    )
    op.create_index(op.f("ix_study_readings_month"), "study_readings", ["month"], unique=False)
    op.create_index(op.f("ix_study_readings_retiree_id"), "study_readings", ["retiree_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_study_readings_retiree_id"), table_name="study_readings")
    op.drop_index(op.f("ix_study_readings_month"), table_name="study_readings")
    op.drop_table("study_readings")
