"""a code a clerk sends from their own WeChat to link it to their console account

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("link_code", sa.String(length=8)))
        batch.add_column(sa.Column("link_code_until", sa.DateTime()))
        batch.create_unique_constraint("uq_staff_accounts_link_code", ["link_code"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_constraint("uq_staff_accounts_link_code", type_="unique")
        batch.drop_column("link_code_until")
        batch.drop_column("link_code")
