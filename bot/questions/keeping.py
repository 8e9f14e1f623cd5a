"""Keeping the questions the bot did not answer well, as the person asked them (phone and ID
numbers masked), each linked to its inbound record: the material staff teach the bot from."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.logs import mask_personal
from bot.models import InboundMessage, PolicyQuestion
from bot.policies import Decision
from bot.policies.engine import CONFIRMED_NOT_OURS

MAX_KEPT_CHARS = 500  # a question is short; a long message kept whole would be a 留言's job


def for_staff(decision: Decision) -> bool:
    """Whether a question the bot did not answer goes to staff: not when they already marked
    these very words not the office's (they would see it again and again)."""
    return decision.topic is None and decision.stage != CONFIRMED_NOT_OURS


def keep(session: Session, *, openid: str, via: str, text: str, outcome: str, now: datetime,
         inbound_key: str | None = None, offered: list[str] | None = None,
         answered: str | None = None) -> PolicyQuestion:
    """Keep one question (outcome: unanswered, offered or not_this); flushed, so it has its id."""
    question = PolicyQuestion(asked_at=now, openid=openid, via=via, inbound_key=inbound_key,
                              text=mask_personal(text.strip())[:MAX_KEPT_CHARS], outcome=outcome,
                              offered=list(offered or []), answered=answered, state="open")
    session.add(question)
    session.flush()
    return question


def latest_message(session: Session, openid: str, since: datetime) -> sa.Row | None:
    """The last message openid sent before this one, if sent after `since` (its text and the
    route that answered it)."""
    latest = (sa.select(InboundMessage.text, InboundMessage.route)
              .where(InboundMessage.openid == openid, InboundMessage.received_at >= since)
              .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(1))
    return session.execute(latest).first()


def picked(session: Session, question_id: int, topic: str) -> None:
    """The person chose `topic` among those 「您是想问」 offered for the question."""
    question = session.get(PolicyQuestion, question_id)
    if question is not None and topic in question.offered:
        question.picked = topic
