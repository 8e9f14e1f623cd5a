"""Notices (群发通知): one text from staff to everyone, a group or one retiree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class Notice(Base):
    """A broadcast; each recipient's copy is an outbox row pointing back here."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    audience: Mapped[str] = mapped_column(sa.String(100))  # all | group:<name> | retiree:<id>
    preview: Mapped[bool] = mapped_column(default=False)  # to the staff openids only
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime]
    send_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    # People the audience names whom no row was made for, by reason (deceased, not bound …).
    skipped: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
