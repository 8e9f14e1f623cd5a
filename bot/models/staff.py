"""Staff accounts for the console: who may sign in, with which role, over which people."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class Role(enum.StrEnum):
    """What an account may do: 管理员 everything, 工作人员 all but accounts, 查看 read only."""

    ADMIN = "admin"
    STAFF = "staff"
    VIEWER = "viewer"


ROLE_NAMES = {Role.ADMIN: "管理员", Role.STAFF: "工作人员", Role.VIEWER: "查看"}


class StaffAccount(Base):
    """One member of staff who signs in to the console.

    group_id, when set, is the account's data scope: a branch secretary sees the members of
    that group only. session_epoch grows when the password changes or the account is disabled,
    so every session signed before it stops working at once, in every worker.
    """

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(40))
    role: Mapped[str] = mapped_column(sa.String(16))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("groups.id", ondelete="SET NULL"))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    session_epoch: Mapped[int] = mapped_column(default=0)
    openid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # A code its holder sends from their own WeChat (「关联 12345678」) to link it, and until when.
    link_code: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    link_code_until: Mapped[datetime | None]
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]

    @classmethod
    def on_duty(cls) -> sa.ColumnElement[bool]:
        """The accounts whose linked WeChat gets staff alerts and may use staff commands in the
        chat: enabled, linked, allowed to act (not 查看), and over the whole office (alerts and
        「通知 全体」 are about everyone; a branch's account sees its branch only)."""
        return sa.and_(cls.disabled_at.is_(None), cls.openid.is_not(None), cls.role != Role.VIEWER,
                       cls.group_id.is_(None))
