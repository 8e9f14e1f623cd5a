"""The record of every message and event retirees send, and which route answered it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class InboundMessage(Base):
    """One message or event as WeChat delivered it (retries are not recorded twice)."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), index=True)
    msg_id: Mapped[str | None] = mapped_column(sa.String(64))
    msg_type: Mapped[str] = mapped_column(sa.String(32))
    event: Mapped[str | None] = mapped_column(sa.String(64))
    text: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(index=True)
    route: Mapped[str] = mapped_column(sa.String(64))
