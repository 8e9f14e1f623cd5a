"""Care reports (重要情况报告): a hospital stay, danger, a fall or a death, told to the bot."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.engine import Base
from bot.models.roster import Retiree


class CareReport(Base):
    """One report, kept until staff record what was done."""

    __tablename__ = "care_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), index=True)
    retiree_id: Mapped[int | None] = mapped_column(sa.ForeignKey("retirees.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))      # death, critical, hospital, fall
    subject: Mapped[str] = mapped_column(sa.String(10))   # self, relative, unknown
    relative: Mapped[str | None] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    reporter_phone: Mapped[str | None] = mapped_column(sa.String(20))  # family or unbound: to call back
    # Who an unbound reporter said they are while binding (王德明的女儿), not yet checked.
    claimed: Mapped[str | None] = mapped_column(sa.String(60))
    # The one person on the roster the news names (「姚文斌昨天走了」, said by someone else), for staff.
    named_id: Mapped[int | None] = mapped_column(sa.ForeignKey("retirees.id"))
    named: Mapped[Retiree | None] = relationship(foreign_keys=[named_id])
    created_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    death_confirmed_on: Mapped[date | None]
