"""notices written in the console: a title, a link to a study month or an activity, several
groups or chosen people as the audience, and the form's one-time key

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("notices") as batch_op:
        batch_op.alter_column("audience", type_=sa.Text(), existing_type=sa.String(100))
        batch_op.add_column(sa.Column("title", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("link", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("form_key", sa.String(64), nullable=True))
        batch_op.create_unique_constraint("uq_notices_form_key", ["form_key"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("notices") as batch_op:
        batch_op.drop_constraint("uq_notices_form_key", type_="unique")
        batch_op.drop_column("form_key")
        batch_op.drop_column("link")
        batch_op.drop_column("title")
        batch_op.alter_column("audience", type_=sa.String(100), existing_type=sa.Text())
