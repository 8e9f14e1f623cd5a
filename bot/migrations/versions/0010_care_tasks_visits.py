"""care tasks and visits

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "care_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retiree_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["retiree_id"], ["retirees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("retiree_id", "kind", "due_on"),
    )
    op.create_index(op.f("ix_care_tasks_retiree_id"), "care_tasks", ["retiree_id"], unique=False)
    op.create_table(
        "care_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("retiree_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["retiree_id"], ["retirees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_care_visits_retiree_id"), "care_visits", ["retiree_id"], unique=False)
    op.create_index(op.f("ix_care_visits_visited_on"), "care_visits", ["visited_on"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_care_visits_visited_on"), table_name="care_visits")
    op.drop_index(op.f("ix_care_visits_retiree_id"), table_name="care_visits")
    op.drop_table("care_visits")
    op.drop_index(op.f("ix_care_tasks_retiree_id"), table_name="care_tasks")
    op.drop_table("care_tasks")
