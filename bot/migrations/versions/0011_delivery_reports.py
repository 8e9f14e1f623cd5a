"""delivery reports: template msgids and WeChat's TEMPLATESENDJOBFINISH reports

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SET = sa.text("msgid IS NOT NULL")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("msgid", sa.String(length=64), nullable=True))
        # Partial: only sent template messages carry one, so the sender's other writes skip it.
        batch_op.create_index("ix_outbox_msgid", ["msgid"], unique=True,
                              sqlite_where=_SET, postgresql_where=_SET)
    op.create_table(
        "delivery_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("msgid", sa.String(length=64), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("msgid"),
    )
    op.create_index(op.f("ix_delivery_reports_openid"), "delivery_reports", ["openid"], unique=False)
    op.create_index(op.f("ix_delivery_reports_received_at"), "delivery_reports", ["received_at"],
                    unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_delivery_reports_received_at"), table_name="delivery_reports")
    op.drop_index(op.f("ix_delivery_reports_openid"), table_name="delivery_reports")
    op.drop_table("delivery_reports")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_msgid", sqlite_where=_SET, postgresql_where=_SET)
        batch_op.drop_column("msgid")
