"""notices; outbox rows know their kind, retiree and notice

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=100), nullable=False),
        sa.Column("preview", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=16), nullable=True)
        batch_op.add_column(sa.Column("kind", sa.String(length=20), server_default="reply", nullable=False))
        batch_op.add_column(sa.Column("retiree_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("notice_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_retiree_id"), ["retiree_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_notice_id"), ["notice_id"], unique=False)
        batch_op.create_foreign_key("fk_outbox_notice_id", "notices", ["notice_id"], ["id"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_notice_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_notice_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_retiree_id"))
        batch_op.drop_column("notice_id")
        batch_op.drop_column("retiree_id")
        batch_op.drop_column("kind")
        batch_op.alter_column("channel", existing_type=sa.String(length=16), nullable=False)
    op.drop_table("notices")
