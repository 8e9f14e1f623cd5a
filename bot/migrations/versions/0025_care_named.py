"""the person on the roster a care report's news names (「姚文斌昨天走了」), kept with it

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("care_reports") as batch:
        batch.add_column(sa.Column("named_id", sa.Integer()))
        batch.create_foreign_key("fk_care_reports_named_id_retirees", "retirees", ["named_id"], ["id"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("care_reports") as batch:
        batch.drop_constraint("fk_care_reports_named_id_retirees", type_="foreignkey")
        batch.drop_column("named_id")
