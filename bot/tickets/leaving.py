"""Leaving a 留言, the one way the chat and the mini-program both do it: kept with who left it,
staff alerted at once with a link to it."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db.engine import hold_until_commit
from bot.delivery.staff_alerts import alert_staff
from bot.language.texts import Texts
from bot.language.words import normalize
from bot.logs import mask
from bot.models import Binding, InboundMessage, Ticket
from bot.policies import ANSWERING_ROUTES

# What WeChat's content check (msg_sec_check) said of a 留言 left in the mini-program, as staff read it.
SCREENING_NOTES = {"review": "（微信内容检查：建议人工复核）",
                   "risky": "（微信内容检查：有风险内容，请先看再处理）"}

# Someone who asks for 留言 right after a question or words the bot could not act on usually
# means those words: they are offered, not typed again (an old hand's thumbs are slow).
JUST_NOW = timedelta(minutes=10)
SENT_TWICE = timedelta(minutes=5)  # the same 留言 again this soon is the first sent twice
_ROUTES_MEANT = (*ANSWERING_ROUTES, "match:intent", "fallback")
_SAYS_SOMETHING = 6  # characters: 「离休费几号发」 is a question; 「你好」 is no message


# Built once, with its values as parameters: building it afresh (its clauses, then its cache key)
# cost SQLAlchemy more than running it.
_SAME_LATELY = (sa.select(Ticket).where(Ticket.openid == sa.bindparam("openid"),
                                        Ticket.text == sa.bindparam("text"),
                                        Ticket.created_at >= sa.bindparam("since"))
                .order_by(Ticket.id.desc()).limit(1))


def leave(session: Session, settings: Settings, texts: Texts, *, openid: str, binding: Binding | None,
          text: str, now: datetime, screening: str | None = None, alert: bool = True) -> Ticket:
    """Keep the message as a ticket and alert staff (not with alert False: a care report made of
    the same words has alerted them); its id is the receipt number. `screening` is WeChat's
    verdict where the text was checked (pass / review / risky). The same words from the same
    account again within SENT_TWICE (a double tap, a retry) are the same 留言, even sent at the
    same instant."""
    hold_until_commit(session, f"ticket:{openid}")
    earlier = session.scalar(_SAME_LATELY, {"openid": openid, "text": text.strip(),
                                            "since": now - SENT_TWICE})
    if earlier is not None:
        return earlier
    ticket = Ticket(openid=openid, retiree_id=binding.retiree_id if binding else None,
                    by_agent=bool(binding and binding.is_agent), text=text.strip(), created_at=now,
                    screening=screening)
    session.add(ticket)
    session.flush()
    if not alert:
        return ticket
    note = SCREENING_NOTES.get(screening or "", "")
    alert_staff(session, settings, now, key=f"ticket:{ticket.id}",
                text=texts.get("ticket.staff", number=ticket.id, who=who_left(binding, openid),
                               text=note + ticket.text),
                page=f"/console/tickets/{ticket.id}")
    return ticket


def add_to(session: Session, settings: Settings, texts: Texts, ticket_id: int, *, openid: str,
           binding: Binding | None, text: str, now: datetime) -> Ticket:
    """More words for a 留言 just left (「哦对了，还有我的医保卡丢了」): added to it, and staff told,
    while they have not answered it; once answered, a 留言 of its own."""
    hold_until_commit(session, f"ticket:{openid}")  # two quick additions: each keeps the other's
    ticket = session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None or ticket.openid != openid or ticket.answered_at is not None:
        return leave(session, settings, texts, openid=openid, binding=binding, text=text, now=now)
    if text.strip() in ticket.text.split("\n"):  # sent twice
        return ticket
    ticket.text = f"{ticket.text}\n{text.strip()}"
    alert_staff(session, settings, now, key=f"ticket:{ticket.id}:more:{len(ticket.text)}",
                text=texts.get("ticket.staff_more", number=ticket.id, who=who_left(binding, openid),
                               text=text.strip()),
                page=f"/console/tickets/{ticket.id}")
    return ticket


def says_something(texts: Texts, text: str) -> bool:
    """Whether text is a 留言 staff can act on: not a greeting, 「好的」 or a sound (「嗯」), which
    are not yet the message (the chat then asks what it is; the mini-program says so)."""
    if texts.yes_or_no(text) is not None:
        return False
    plain, openings = normalize(text), sorted(texts.words("ticket.not_yet_words"), key=len, reverse=True)
    while opening := next((w for w in openings if plain.startswith(w) or plain.endswith(w)), None):
        plain = plain.removeprefix(opening) if plain.startswith(opening) else plain.removesuffix(opening)
    return len(plain) >= 2  # 「你好，我想问一下」 is openings only; 「你好，暖气不热」 says something


def who_left(binding: Binding | None, openid: str) -> str:
    """Who left a 留言, as staff read it: the retiree, their family, or an unbound user."""
    if binding is None:
        return f"未绑定用户 {mask(openid)}"
    name = binding.retiree.name
    return f"{name}的家属（{binding.relation}）" if binding.is_agent else name


def just_said(session: Session, openid: str, now: datetime) -> InboundMessage | None:
    """What openid said to the bot last, if in the last ten minutes and it was a question or
    words the bot could not act on: what a 留言 asked for now likely means."""
    last = session.scalars(sa.select(InboundMessage).where(
        InboundMessage.openid == openid, InboundMessage.received_at >= now - JUST_NOW)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(1)).first()
    if (last is None or last.route not in _ROUTES_MEANT or not last.text
            or len(normalize(last.text)) < _SAYS_SOMETHING):
        return None
    return last


def said_before(session: Session, openid: str, inbound_id: int) -> str | None:
    """The text of openid's recorded message inbound_id (None: not theirs)."""
    return session.scalar(sa.select(InboundMessage.text).where(
        InboundMessage.id == inbound_id, InboundMessage.openid == openid))
