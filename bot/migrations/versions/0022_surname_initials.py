"""pinyin initials with a surname's own reading first (曾 under Z), so 名册 sorts by it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models.roster import SURNAME_INITIALS, name_initials

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Renew the initials of everyone whose surname is read its own way."""
    # The model's own function, not a frozen copy: initials are derived data, and whatever
    # reads them (search, sorting) reads them as the model writes them now.
    conn = op.get_bind()
    people = sa.table("retirees", sa.column("id"), sa.column("name"), sa.column("name_initials"))
    starts = sa.or_(*(people.c.name.like(f"{c}%") for c in SURNAME_INITIALS))
    rows = conn.execute(sa.select(people.c.id, people.c.name).where(starts)).all()
    for start in range(0, len(rows), 500):
        conn.execute(sa.update(people).where(people.c.id == sa.bindparam("rid"))
                     .values(name_initials=sa.bindparam("initials")),
                     [{"rid": rid, "initials": name_initials(name)} for rid, name in rows[start:start + 500]])


def downgrade() -> None:
    """Nothing to undo: the older order of readings finds the same people."""
