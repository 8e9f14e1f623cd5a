"""Leaving a 留言, the one way the chat and the mini-program both do it: kept with who left it,
staff alerted at once with a link to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.staff_alerts import alert_staff
from bot.language.texts import Texts
from bot.logs import mask
from bot.models import Binding, Ticket

# What WeChat's content check (msg_sec_check) said of a 留言 left in the mini-program, as staff read it.
SCREENING_NOTES = {"review": "（微信内容检查：建议人工复核）",
                   "risky": "（微信内容检查：有风险内容，请先看再处理）"}


def leave(session: Session, settings: Settings, texts: Texts, *, openid: str, binding: Binding | None,
          text: str, now: datetime, screening: str | None = None) -> Ticket:
    """Keep the message as a ticket and alert staff; its id is the receipt number. `screening`
    is WeChat's verdict where the text was checked (pass / review / risky)."""
    ticket = Ticket(openid=openid, retiree_id=binding.retiree_id if binding else None,
                    by_agent=bool(binding and binding.is_agent), text=text.strip(), created_at=now,
                    screening=screening)
    session.add(ticket)
    session.flush()
    note = SCREENING_NOTES.get(screening or "", "")
    alert_staff(session, settings, now, key=f"ticket:{ticket.id}",
                text=texts.get("ticket.staff", number=ticket.id, who=who_left(binding, openid),
                               text=note + ticket.text),
                page=f"/console/tickets/{ticket.id}")
    return ticket


def who_left(binding: Binding | None, openid: str) -> str:
    """Who left a 留言, as staff read it: the retiree, their family, or an unbound user."""
    if binding is None:
        return f"未绑定用户 {mask(openid)}"
    name = binding.retiree.name
    return f"{name}的家属（{binding.relation}）" if binding.is_agent else name
