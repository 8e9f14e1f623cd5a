"""Staff tasks the bot creates (上门祝寿), and the visits staff record (慰问记录)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class CareTask(Base):
    """Something staff should do for one retiree by a day, e.g. a birthday visit for a 90th."""

    __tablename__ = "care_tasks"
    __table_args__ = (sa.UniqueConstraint("retiree_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # 上门祝寿
    due_on: Mapped[date]
    detail: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class CareVisit(Base):
    """A visit staff made (慰问记录)."""

    __tablename__ = "care_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(4))  # 生日 住院 节日 日常 遗属
    visited_on: Mapped[date] = mapped_column(index=True)
    visitor: Mapped[str] = mapped_column(sa.String(40))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
