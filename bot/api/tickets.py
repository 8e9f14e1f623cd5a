"""留言 from the mini-program: leave one (checked by WeChat's content check when configured; what
it flags still reaches staff, marked), and list one's own with staff's replies. Leaving one is
the chat's own function (bot.tickets.leaving); news of a fall or a death in it is also a care
report, as the chat hears it (bot.api.care_news)."""

from __future__ import annotations

import logging
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from wechatpy.exceptions import WeChatClientException

from bot.api.care_news import callback_phone, hear
from bot.api.spec import (
    NEEDS_LOGIN,
    Error,
    Refused,
    Request,
    Time,
    api,
    blueprint,
    bound,
    documented,
    services,
    signed_in,
)
from bot.logs import mask
from bot.models import Ticket
from bot.tickets.leaving import leave, says_something
from bot.wechat_api.miniprogram import content_check

log = logging.getLogger(__name__)
MAX_TEXT = 1000  # characters: more than any 留言 a person types on a phone


class NewTicket(Request):
    """What the person wants staff to know."""

    text: str = Field(min_length=2, max_length=MAX_TEXT, description="留言的内容")


class TicketView(BaseModel):
    """A 留言 and staff's reply, once there is one."""

    number: int = Field(description="留言编号，打电话时可以报这个号")
    text: str = Field(description="留言内容")
    created_at: Time = Field(description="留下的时间")
    state: Literal["waiting", "replied", "handled"] = Field(description=(
        "waiting 等工作人员处理；replied 已回复（见 reply）；handled 工作人员已处理，打电话或上门联系过，"
        "没有文字回复（可显示「工作人员已处理（打电话或上门联系过您）」）"))
    reply: str | None = Field(description="工作人员的回复；还没回复、或打电话处理的为空")
    replied_at: Time | None = Field(description="工作人员回复或处理的时间；还在等时为空")
    care: str | None = Field(default=None, description=(
        "留言说到重要情况时的种类（和 /policy/ask 的 care 一样，如 fall 摔倒、death 去世）：这时也记为重要"
        "情况报告，工作人员已收到提醒；只在刚留言时有"))
    care_text: str | None = Field(default=None, description=(
        "说到重要情况时要显示的话：关心的话和现在该怎么办（急症先打 120）；只在刚留言时有"))
    urgent: bool = Field(default=False, description=(
        "人命关天（急症、走失、着火……）：请把 care_text 醒目地显示"))


class Tickets(BaseModel):
    """One's own 留言, newest first."""

    tickets: list[TicketView] = Field(description="留言，新的在前")


@blueprint.post("/tickets")
@api.validate(json=NewTicket, resp=documented(HTTP_201=TicketView, HTTP_401=Error, HTTP_422=Error),
              tags=["留言"], security=NEEDS_LOGIN)
def leave_ticket(json: NewTicket) -> Any:
    """留言给工作人员。「你好」「好的」这样的话还不是留言：422，请写清楚是什么事。说到摔倒、去世、
    急症这样的重要情况，也记为重要情况报告，回复里有关心的话（care_text）。"""
    s = services()
    with signed_in() as (_session, user):
        openid = user.openid
    if not says_something(s.texts, json.text):  # signed in first: a stranger learns nothing here
        raise Refused(422, "invalid", "请写一写是什么事情，工作人员才好帮您办。")
    screening = _screen(openid, json.text)  # a call to WeChat: outside the transaction
    with signed_in() as (session, user):
        news = hear(session, user, json.text)  # a fall or a death: a care report, as the chat hears it
        ticket = leave(session, s.settings, s.texts, openid=user.openid, binding=bound(session, user),
                       text=json.text, now=s.clock.now(), screening=screening,
                       alert=news is None)  # the report has alerted staff: one alert, not two
        view = _view(ticket)
        if news is not None:
            view = view.model_copy(update={"care": news.kind, "care_text": news.text, "urgent": news.urgent})
        elif (phoned := callback_phone(session, user, json.text)) is not None:  # no report made: no care
            view = view.model_copy(update={"care_text": phoned.text})
        return view, 201


@blueprint.get("/tickets")
@api.validate(resp=documented(HTTP_200=Tickets, HTTP_401=Error), tags=["留言"], security=NEEDS_LOGIN)
def my_tickets() -> Any:
    """我的留言和回复。"""
    with signed_in() as (session, user):
        found = session.scalars(sa.select(Ticket).where(Ticket.openid == user.openid)
                                .order_by(Ticket.created_at.desc()).limit(100))
        return Tickets(tickets=[_view(t) for t in found])


def _screen(openid: str, text: str) -> str | None:
    """WeChat's verdict on the text (pass / review / risky), or None when not checked: not
    configured, or WeChat could not answer — the 留言 is kept either way."""
    s = services()
    if not s.settings.miniprogram.content_check:
        return None
    try:
        return content_check(s.settings, s.store, openid, text)
    except WeChatClientException as exc:
        log.warning("content check of a 留言 from %s failed: %s", mask(openid), exc.errcode)
        return None


def _view(ticket: Ticket) -> TicketView:
    """What the writer may read: staff's note on a 留言 handled by a call stays staff's."""
    return TicketView(number=ticket.id, text=ticket.text, created_at=ticket.created_at, state=ticket.state,
                      reply=ticket.answer if ticket.state == "replied" else None,
                      replied_at=ticket.answered_at)
