"""mini-program users and their sessions (the /api/v1 logins)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "mini_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("openid", sa.String(64), nullable=False, unique=True),
        sa.Column("unionid", sa.String(64), nullable=True),
        sa.Column("font_scale", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mini_users_unionid", "mini_users", ["unionid"])
    op.create_table(
        "mini_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("mini_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("session_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mini_sessions_user_id", "mini_sessions", ["user_id"])
    op.create_index("ix_mini_sessions_expires_at", "mini_sessions", ["expires_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("mini_sessions")
    op.drop_table("mini_users")
