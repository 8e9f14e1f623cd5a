"""inbound records keep their request's timestamp and nonce, each usable once

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("inbound_messages") as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=80), nullable=True))
        batch_op.create_index("ix_inbound_request_key", ["request_key"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("inbound_messages") as batch_op:
        batch_op.drop_index("ix_inbound_request_key")
        batch_op.drop_column("request_key")
