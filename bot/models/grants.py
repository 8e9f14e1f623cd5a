"""Subscription grants: what a person allowed the office to send them — a 订阅通知 of the
official account or a subscribe message of the mini-program, per template."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class SubscribeGrant(Base):
    """One grant: a one-time grant allows one message of its template and is used up by it; a
    long-term one lasts until withdrawn. The delivery engine spends them."""

    __tablename__ = "subscribe_grants"
    __table_args__ = (sa.Index("ix_subscribe_grants_open", "openid", "template_id", "used_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64))
    app: Mapped[str] = mapped_column(sa.String(8))  # "oa" (订阅通知) or "mini" (小程序订阅消息)
    template_id: Mapped[str] = mapped_column(sa.String(64))
    long_term: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(sa.String(8))  # "client" (the API), "event" (WeChat's push), "both"
    granted_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # a one-time grant spent; a long-term one withdrawn
