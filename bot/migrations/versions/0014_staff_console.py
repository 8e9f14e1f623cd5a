"""the staff console: staff accounts with roles and a data scope; pinyin initials to find people

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, pinyin

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=40), nullable=False, unique=True),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id", ondelete="SET NULL")),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), unique=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("last_sign_in_at", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime()),
    )
    with op.batch_alter_table("retirees") as batch_op:
        batch_op.add_column(sa.Column("name_initials", sa.String(length=80), nullable=False,
                                      server_default=""))
    _fill_initials()


def _fill_initials() -> None:
    """Everyone already on file gets their initials (the model keeps them from now on)."""
    conn = op.get_bind()
    people = sa.table("retirees", sa.column("id"), sa.column("name"), sa.column("name_initials"))
    rows = conn.execute(sa.select(people.c.id, people.c.name)).all()
    for start in range(0, len(rows), 500):
        conn.execute(sa.update(people).where(people.c.id == sa.bindparam("rid"))
                     .values(name_initials=sa.bindparam("initials")),
                     [{"rid": rid, "initials": _initials(name)} for rid, name in rows[start:start + 500]])


def _initials(name: str) -> str:
    """As bot.models.roster.name_initials on the day this revision was written."""
    letters = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    if not letters:
        return ""
    rest = "".join(options[0] for options in letters[1:]).lower()
    return " ".join(dict.fromkeys(first.lower() + rest for first in letters[0][:3]))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("retirees") as batch_op:
        batch_op.drop_column("name_initials")
    op.drop_table("staff_accounts")
