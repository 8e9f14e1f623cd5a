"""送学上门 visits assigned to staff and recorded done

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "study_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retiree_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("assigned_to", sa.String(40), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["retiree_id"], ["retirees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("retiree_id", "month"),
    )
    op.create_index("ix_study_visits_retiree_id", "study_visits", ["retiree_id"])
    op.create_index("ix_study_visits_month", "study_visits", ["month"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("study_visits")
