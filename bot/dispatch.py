"""Dispatch: one message in, one reply out, in its own transaction, recorded either way."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot import followers
from bot.context import Context
from bot.conversation import Conversation
from bot.db import transaction
from bot.inbound import Inbound
from bot.logs import mask
from bot.models import InboundMessage
from bot.replies import Reply, Text
from bot.services import Services

log = logging.getLogger(__name__)


def dispatch(services: Services, msg: Inbound) -> Reply:
    """Route msg to its handler, record it with the route that answered, and return the reply."""
    try:
        with transaction(services.sessions) as session:
            ctx = build_context(services, session, msg)
            route, reply = services.router.route(msg, ctx)
            record(session, msg, route, services)
            return reply
    except Exception:
        # A handler bug must not cost the retiree their message or leave them without an answer.
        log.exception("handler failed for %s (%s)", mask(msg.openid), msg.dedupe_key)
        with transaction(services.sessions) as session:
            followers.touch(session, msg.openid, services.clock.now(), wrote=msg.is_text_like)
            record(session, msg, "error", services)
        return Text(services.texts.get("replies.error"))


def build_context(services: Services, session: Session, msg: Inbound) -> Context:
    """The handler context for msg: its follower (created on first contact) and state."""
    now = services.clock.now()
    follower = followers.touch(session, msg.openid, now, wrote=msg.is_text_like)
    conversation = Conversation(session, msg.openid, services.clock,
                                services.settings.conversation_ttl)
    return Context(openid=msg.openid, follower=follower, session=session, clock=services.clock,
                   conversation=conversation, texts=services.texts, settings=services.settings)


def record(session: Session, msg: Inbound, route: str, services: Services) -> None:
    """Keep what the retiree sent, so staff can see what people ask and nothing is lost."""
    session.add(InboundMessage(
        openid=msg.openid, msg_id=msg.msg_id or None, msg_type=msg.kind,
        event=msg.event or None, text=msg.text or msg.event_key or None,
        sent_at=msg.sent_at, received_at=services.clock.now(), route=route,
    ))
