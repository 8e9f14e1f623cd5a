"""我的通知 in the mini-program: what the bot has sent this person (their mailbox included), with
read and unread (bot.delivery.inbox), and subscribe-message grants the client reports."""

from __future__ import annotations

from typing import Any

from flask import abort
from pydantic import BaseModel, Field

from bot.accounts.miniprogram import mark_read, read_among
from bot.api.spec import NEEDS_LOGIN, Error, Time, api, blueprint, bound, documented, services, signed_in
from bot.api.wording import for_the_app
from bot.delivery.inbox import belongs, messages_for, shown_in_app
from bot.models import OutboxMessage
from bot.models.outbox import KIND_NAMES


class NoticeView(BaseModel):
    """One message the person has had."""

    id: int = Field(description="消息编号（标为已读时用）")
    kind: str = Field(description="notice 通知、activity 活动、event 活动变动、ticket 留言回复、"
                                  "greeting 祝福、study 学习")
    kind_name: str = Field(description="种类的中文名")
    title: str | None = Field(description="标题；没有为空")
    text: str = Field(description="消息全文")
    sent_at: Time = Field(description="发出的时间")
    read: bool = Field(description="已经看过")


class Notices(BaseModel):
    """The person's messages, newest first, and how many are unread."""

    unread: int = Field(description="没看过的条数")
    notices: list[NoticeView] = Field(description="消息，新的在前")


@blueprint.get("/me/notices")
@api.validate(resp=documented(HTTP_200=Notices, HTTP_401=Error), tags=["通知"], security=NEEDS_LOGIN)
def my_notices() -> Any:
    """我的通知：发给我（和我代办的老同志）的消息。"""
    with signed_in() as (session, user):
        binding = bound(session, user)
        found = messages_for(session, openid=user.openid, binding=binding)
        read = read_among(session, user, [m.id for m in found])
        views = [_view(m, m.id in read) for m in found]
        return Notices(unread=sum(not v.read for v in views), notices=views)


@blueprint.post("/me/notices/<int:notice_id>/read")
@api.validate(resp=documented("HTTP_204", HTTP_401=Error, HTTP_404=Error), tags=["通知"],
              security=NEEDS_LOGIN)
def read_notice(notice_id: int) -> Any:
    """标为已读。"""
    with signed_in() as (session, user):
        binding = bound(session, user)
        message = session.get(OutboxMessage, notice_id)
        if message is None or not belongs(message, openid=user.openid, binding=binding):
            abort(404)
        now = services().clock.now()
        mark_read(session, user, message.id, now)
        shown_in_app(session, message, user.openid)
    return "", 204


def _view(message: OutboxMessage, read: bool) -> NoticeView:
    text = for_the_app(services().texts, message.payload["text"])
    return NoticeView(id=message.id, kind=message.kind, kind_name=KIND_NAMES.get(message.kind, message.kind),
                      title=message.payload.get("title"), text=text,
                      sent_at=message.sent_at or message.created_at, read=read)
