"""The record of every message and event retirees send, what answered it and what it said."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class InboundMessage(Base):
    """One delivery from WeChat, recorded once: its unique dedupe key is how a retry is known.

    The reply is kept with it, so a retry gets the same answer and staff see what was said.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (sa.Index("ix_inbound_openid_received", "openid", "received_at"),
                      sa.Index("ix_inbound_request_key", "request_key", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    # The request's signed timestamp and nonce: a query string is good for one delivery only.
    request_key: Mapped[str | None] = mapped_column(sa.String(80))
    openid: Mapped[str] = mapped_column(sa.String(64))
    msg_id: Mapped[str | None] = mapped_column(sa.String(64))
    msg_type: Mapped[str] = mapped_column(sa.String(32))
    event: Mapped[str | None] = mapped_column(sa.String(64))
    text: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(index=True)
    route: Mapped[str] = mapped_column(sa.String(64))
    reply_text: Mapped[str | None] = mapped_column(sa.Text)
    replied_late: Mapped[bool] = mapped_column(default=False)
    # Whom the sender speaks for, if bound, and whether as family (代办) rather than in person.
    retiree_id: Mapped[int | None] = mapped_column(index=True)
    by_agent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
