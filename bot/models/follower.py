"""Followers: every openid that has followed the official account."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class Follower(Base):
    """One WeChat user of the account; never deleted, only marked inactive on unfollow.

    When they last wrote is not kept here: it is their newest inbound message.
    """

    __tablename__ = "followers"
    APP = "oa"  # the app its openid belongs to, as bindings name it


    openid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)
    first_seen_at: Mapped[datetime]
    followed_at: Mapped[datetime | None]
    unfollowed_at: Mapped[datetime | None]
    # Identity binding: wrong answers in a row, and until when binding is refused after three.
    bind_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    bind_locked_until: Mapped[datetime | None]
    # The same person across the office's WeChat apps (filled from WeChat's user info, when the
    # account is linked to an open platform): how a mini-program login finds its chat binding.
    unionid: Mapped[str | None] = mapped_column(sa.String(64), index=True)
