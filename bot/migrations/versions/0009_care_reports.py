"""care reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "care_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("retiree_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("relative", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("death_confirmed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["retiree_id"], ["retirees.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_care_reports_created_at"), "care_reports", ["created_at"], unique=False)
    op.create_index(op.f("ix_care_reports_openid"), "care_reports", ["openid"], unique=False)
    op.create_index(op.f("ix_care_reports_retiree_id"), "care_reports", ["retiree_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_care_reports_retiree_id"), table_name="care_reports")
    op.drop_index(op.f("ix_care_reports_openid"), table_name="care_reports")
    op.drop_index(op.f("ix_care_reports_created_at"), table_name="care_reports")
    op.drop_table("care_reports")
