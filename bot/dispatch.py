"""Dispatch: one delivery in, one reply out — claimed, handled, recorded and answered in a single
transaction, so a retry never runs a handler twice and a crash loses nothing."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import followers, outbox
from bot.context import Context, Sender, read_sender
from bot.conversation import Conversation
from bot.db import transaction, upsert
from bot.delivery.mailbox import with_mailbox
from bot.handoff import Handoff
from bot.inbound import Inbound
from bot.models import InboundMessage
from bot.replies import SUCCESS, Reply, Text, render_passive
from bot.services import Services

log = logging.getLogger(__name__)
_TABLE = InboundMessage.__table__
_STORED = sa.select(_TABLE.c.reply_text, _TABLE.c.replied_late).where(
    _TABLE.c.dedupe_key == sa.bindparam("key"))
_SETTLE = sa.update(_TABLE).where(_TABLE.c.id == sa.bindparam("record_id")).values(
    route=sa.bindparam("route"), reply_text=sa.bindparam("reply_text"),
    replied_late=sa.bindparam("late"), retiree_id=sa.bindparam("retiree_id"),
    by_agent=sa.bindparam("by_agent"))


def handle_once(services: Services, msg: Inbound, handoff: Handoff) -> None:
    """Answer msg through the handoff; a handler error gets a kind apology, and is logged."""
    try:
        with transaction(services.sessions) as session:
            _handle(services, session, msg, handoff, route=services.router.route)
        services.known_followers.add(msg.openid)
    except Exception:
        # A handler bug must not cost the retiree their message or leave them without an answer.
        log.exception("handler failed for %s", msg.log_ref)
        apology = Text(services.texts.get("replies.error"))
        with transaction(services.sessions) as session:
            _handle(services, session, msg, handoff, route=lambda m, c: ("error", apology))


Route = Callable[[Inbound, Context], tuple[str, Reply]]


def _handle(services: Services, session: Session, msg: Inbound, handoff: Handoff,
            route: Route) -> None:
    record_id = claim(session, msg, services)
    if record_id is None:  # WeChat's retry of a delivery already answered
        handoff.offer(stored_answer(session, msg))
        return
    sender = read_sender(session, msg.openid, services.clock.now())
    ctx = build_context(services, session, msg, sender)
    name, reply = route(msg, ctx)
    if isinstance(reply, Text) and sender.has_mail:  # notices that could not reach them come first
        reply = Text(with_mailbox(session, services.texts, msg.openid, reply.content, ctx.now))
    body = render_passive(reply, openid=msg.openid, account=msg.account)
    late = not handoff.offer(body)
    if late and isinstance(reply, Text):
        outbox.enqueue(session, recipient=msg.openid, text=reply.content,
                       dedupe_key=f"late-reply:{msg.dedupe_key}", now=services.clock.now())
        log.warning("reply to %s missed the %.1fs budget; queued as a customer-service message",
                    msg.log_ref, services.settings.wechat.reply_budget)
    session.connection().execute(_SETTLE, {
        "record_id": record_id, "route": name, "late": late,
        "reply_text": reply.content if isinstance(reply, Text) else None,
        "retiree_id": ctx.binding.retiree_id if ctx.binding else None,
        "by_agent": bool(ctx.binding and ctx.binding.is_agent)})


def claim(session: Session, msg: Inbound, services: Services) -> int | None:
    """Record msg; its id, or None when this delivery was recorded before (a retry)."""
    conn = session.connection()
    return conn.execute(_claim_statement(conn.dialect.name), {
        "dedupe_key": msg.dedupe_key, "openid": msg.openid, "msg_id": msg.msg_id or None,
        "msg_type": msg.kind, "event": msg.event or None,
        "text": msg.text or msg.event_key or None, "sent_at": msg.sent_at,
        "received_at": services.clock.now(), "route": "pending", "reply_text": None,
        "replied_late": False, "retiree_id": None, "by_agent": False}).scalar()


@functools.cache
def _claim_statement(dialect_name: str) -> sa.Insert:
    return upsert(_TABLE, dialect_name, "dedupe_key", ()).returning(_TABLE.c.id)


def stored_answer(session: Session, msg: Inbound) -> str:
    """The passive reply the first delivery got (`success` if it was sent later instead)."""
    row = session.connection().execute(_STORED, {"key": msg.dedupe_key}).one()
    if row.replied_late or row.reply_text is None:
        return SUCCESS
    return render_passive(Text(row.reply_text), openid=msg.openid, account=msg.account)


def build_context(services: Services, session: Session, msg: Inbound, sender: Sender) -> Context:
    """The handler context for msg: its follower (created on first contact), binding and state."""
    if msg.openid not in services.known_followers:
        followers.touch(session, msg.openid, services.clock.now())
    conversation = Conversation(session, msg.openid, services.clock,
                                services.settings.conversation_ttl, sender.step, sender.data)
    return Context(openid=msg.openid, session=session, clock=services.clock,
                   conversation=conversation, texts=services.texts, settings=services.settings,
                   router=services.router, policies=services.policies, binding=sender.binding)


def dispatch(services: Services, msg: Inbound) -> str:
    """Handle msg with no time limit; the passive reply body (for commands and tests)."""
    handoff = Handoff()
    handle_once(services, msg, handoff)
    return handoff.body or SUCCESS
