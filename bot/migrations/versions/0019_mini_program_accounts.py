"""mini-program accounts: bindings from either app, unionids, lock-outs, read marks, subscription grants, 留言 screening

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("bindings") as table:
        table.add_column(sa.Column("app", sa.String(8), nullable=False, server_default="oa"))
    with op.batch_alter_table("followers") as table:
        table.add_column(sa.Column("unionid", sa.String(64), nullable=True))
    op.create_index("ix_followers_unionid", "followers", ["unionid"])
    with op.batch_alter_table("mini_users") as table:
        table.add_column(sa.Column("bind_failures", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("bind_locked_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("tickets") as table:
        table.add_column(sa.Column("screening", sa.String(8), nullable=True))
    op.create_table(
        "mini_reads",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("mini_users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("read_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "subscribe_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("openid", sa.String(64), nullable=False),
        sa.Column("app", sa.String(8), nullable=False),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("long_term", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_subscribe_grants_open", "subscribe_grants", ["openid", "template_id", "used_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("subscribe_grants")
    op.drop_table("mini_reads")
    with op.batch_alter_table("tickets") as table:
        table.drop_column("screening")
    with op.batch_alter_table("mini_users") as table:
        table.drop_column("bind_locked_until")
        table.drop_column("bind_failures")
    op.drop_index("ix_followers_unionid", "followers")
    with op.batch_alter_table("followers") as table:
        table.drop_column("unionid")
    with op.batch_alter_table("bindings") as table:
        table.drop_column("app")
