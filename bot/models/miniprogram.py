"""Mini-program users and their logins (the /api/v1 sessions)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class MiniUser(Base):
    """A WeChat user of the mini-program, known by its own openid (not the official account's)."""

    __tablename__ = "mini_users"
    APP = "mini"  # the app its openid belongs to, as bindings name it

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The same person across the office's WeChat apps, when WeChat gives it (an open platform).
    unionid: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    font_scale: Mapped[int] = mapped_column(default=100)  # 长辈模式: text size in per cent
    # Identity binding, as for the chat's followers: wrong answers in a row, and the lock after three.
    bind_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    bind_locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime]


class MiniSession(Base):
    """One login: our own token (only its hash kept), and WeChat's session_key, which never
    leaves the server."""

    __tablename__ = "mini_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("mini_users.id", ondelete="CASCADE"), index=True)
    session_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class MiniRead(Base):
    """A message the mini-program user has opened in 我的通知 (unread is the absence of a row)."""

    __tablename__ = "mini_reads"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("mini_users.id", ondelete="CASCADE"), primary_key=True)
    outbox_id: Mapped[int] = mapped_column(sa.ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime]
