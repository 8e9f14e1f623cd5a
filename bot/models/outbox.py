"""The outbox: every message the bot sends on its own, durable and deduplicated."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base


class OutboxStatus(enum.StrEnum):
    """Where a message is in its life."""

    PENDING = "pending"      # due to be sent
    SENDING = "sending"      # a sender is calling WeChat with it right now
    SENT = "sent"            # WeChat accepted it (channel says how)
    MAILBOX = "mailbox"      # no channel reaches them now: shown the next time they write
    SHOWN = "shown"          # shown from the mailbox in a reply
    UNCERTAIN = "uncertain"  # the sender died mid-call: WeChat may or may not have it; not resent
    DEAD = "dead"            # every attempt failed
    CANCELLED = "cancelled"  # staff cancelled it before it was sent


class Channel(enum.StrEnum):
    """How a message reaches a person, by WeChat's rules."""

    CUSTOM = "custom"        # customer-service message: within 48 h of their last message
    TEMPLATE = "template"    # template message: a configured template for this kind of message
    MASS = "mass"            # mass send (群发) to a group: at most 4 a month reach each person
    MAILBOX = "mailbox"      # held for the next time they write
    SUBSCRIBE = "subscribe"  # the mini-program's subscribe message: spends a grant the person gave
    BIZSEND = "bizsend"      # the official account's 订阅通知: a long-term grant, or spends a one-time one


# What staff read for each (every staff-facing page and command says these, never the codes).
STATUS_NAMES = {OutboxStatus.PENDING: "待发送", OutboxStatus.SENDING: "发送中", OutboxStatus.SENT: "已发出",
                OutboxStatus.MAILBOX: "等本人来看", OutboxStatus.SHOWN: "已在回复里看到",
                OutboxStatus.UNCERTAIN: "发送中断，未确认", OutboxStatus.DEAD: "发送失败",
                OutboxStatus.CANCELLED: "已取消"}
KIND_NAMES = {"reply": "回复", "notice": "通知", "activity": "活动", "event": "活动变动",
              "ticket": "留言回复", "greeting": "祝福", "study": "学习推送", "staff": "工作人员提醒"}
CHANNEL_NAMES = {Channel.CUSTOM: "客服消息", Channel.TEMPLATE: "模板消息", Channel.MASS: "群发",
                 Channel.MAILBOX: "信箱", Channel.SUBSCRIBE: "小程序订阅消息", Channel.BIZSEND: "订阅通知"}


class OutboxMessage(Base):
    """One message to one recipient; the unique dedupe key makes a second enqueue a no-op."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "due_at"),
                      # Staff alerts are claimed before anything else (bot.delivery.outbox).
                      sa.Index("ix_outbox_staff_due", "due_at", sqlite_where=sa.text("kind = 'staff'"),
                               postgresql_where=sa.text("kind = 'staff'")),
                      sa.Index("ix_outbox_msgid", "msgid", unique=True,
                               sqlite_where=sa.text("msgid IS NOT NULL"),
                               postgresql_where=sa.text("msgid IS NOT NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(64), index=True)
    channel: Mapped[str | None] = mapped_column(sa.String(16))  # chosen when it is sent
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default=OutboxStatus.PENDING)
    kind: Mapped[str] = mapped_column(sa.String(20), default="reply", server_default="reply")
    retiree_id: Mapped[int | None] = mapped_column(index=True)
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    # Set while the row waits to go by mass send with the others of its batch (bot.delivery.mass);
    # cleared when it must go by the ordinary channels instead.
    batch: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    mass_id: Mapped[str | None] = mapped_column(sa.String(64))  # the clientmsgid of its mass call
    # WeChat's id for a template message it took; its delivery report names it (DeliveryReport).
    msgid: Mapped[str | None] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class DeliveryReport(Base):
    """WeChat's report that a template message reached someone or not (TEMPLATESENDJOBFINISH)."""

    __tablename__ = "delivery_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    msgid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    openid: Mapped[str] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(sa.String(64))  # "success", "failed:user block", …
    received_at: Mapped[datetime] = mapped_column(index=True)
