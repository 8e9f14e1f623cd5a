"""Who has read which month's study material, and how it was recorded."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class StudyReading(Base):
    """One retiree's reading of one month's material (recorded once, the first time)."""

    __tablename__ = "study_readings"
    __table_args__ = (sa.UniqueConstraint("retiree_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7), index=True)
    read_at: Mapped[datetime]
    via: Mapped[str] = mapped_column(sa.String(8))  # page (the button), chat (「学完了」), staff, mini
    by_agent: Mapped[bool] = mapped_column(default=False)  # recorded by family on their behalf


class StudyVisit(Base):
    """送学上门: one person to bring a month's material to, the staff member who goes, and when
    it was done (which records the reading, via staff)."""

    __tablename__ = "study_visits"
    __table_args__ = (sa.UniqueConstraint("retiree_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retiree_id: Mapped[int] = mapped_column(sa.ForeignKey("retirees.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7), index=True)
    assigned_to: Mapped[str] = mapped_column(sa.String(40))  # the staff member's name
    assigned_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)
