"""policy answers' learning loop: questions not answered well, and staff's overrides of content/

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "policy_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("openid", sa.String(64), nullable=False),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("inbound_key", sa.String(160), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("picked", sa.String(40), nullable=True),
        sa.Column("answered", sa.String(40), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("topic", sa.String(40), nullable=True),
        sa.Column("handled_by", sa.String(80), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_policy_questions_state", "policy_questions", ["state", "asked_at"])
    op.create_table(
        "policy_overrides",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(80), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_policy_overrides_topic", "policy_overrides", ["topic"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("policy_overrides")
    op.drop_index("ix_policy_questions_state", "policy_questions")
    op.drop_table("policy_questions")
