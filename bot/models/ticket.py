"""Tickets: what a retiree or their family left for staff with 「留言」 (事事有着落，件件有回音)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class Ticket(Base):
    """One message for staff, kept until it is answered."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), index=True)
    retiree_id: Mapped[int | None] = mapped_column(sa.ForeignKey("retirees.id"), index=True)
    by_agent: Mapped[bool] = mapped_column(default=False)  # left by family on the retiree's behalf
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(sa.Text)  # sent to them; or staff's note when not
    # False when staff handled it another way (a phone call) and noted how, with nothing sent.
    replied: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # WeChat's content check of a 留言 from the mini-program: pass, review or risky (None: unchecked).
    screening: Mapped[str | None] = mapped_column(sa.String(8))

    @property
    def state(self) -> str:
        """waiting (for staff), replied (the reply was sent) or handled (by a call or a visit)."""
        if self.answered_at is None:
            return "waiting"
        return "replied" if self.replied else "handled"
