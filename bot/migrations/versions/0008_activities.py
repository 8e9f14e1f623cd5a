"""activities and sign-ups

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("meeting_point", sa.String(length=200), nullable=True),
        sa.Column("transport", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("cancel_until", sa.DateTime(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("companion_seats", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=300), nullable=True),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_activities_starts_at"), "activities", ["starts_at"], unique=False)
    op.create_table(
        "signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("retiree_id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("by_agent", sa.Boolean(), nullable=False),
        sa.Column("companion", sa.Boolean(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"]),
        sa.ForeignKeyConstraint(["retiree_id"], ["retirees.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_signups_activity_id"), "signups", ["activity_id"], unique=False)
    op.create_index(op.f("ix_signups_retiree_id"), "signups", ["retiree_id"], unique=False)
    op.create_index("ux_signups_live", "signups", ["activity_id", "retiree_id"], unique=True,
                    sqlite_where=sa.text("status != 'cancelled'"),
                    postgresql_where=sa.text("status != 'cancelled'"))


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ux_signups_live", table_name="signups")
    op.drop_index(op.f("ix_signups_retiree_id"), table_name="signups")
    op.drop_index(op.f("ix_signups_activity_id"), table_name="signups")
    op.drop_table("signups")
    op.drop_index(op.f("ix_activities_starts_at"), table_name="activities")
    op.drop_table("activities")
