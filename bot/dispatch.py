"""Dispatch: one delivery in, one reply out — claimed, handled, recorded and answered in a single
transaction, so a retry never runs a handler twice and a crash loses nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from bot import inbound_record
from bot.accounts import followers
from bot.context import Context, Sender
from bot.conversation import Conversation
from bot.delivery import outbox
from bot.delivery.mailbox import with_mailbox
from bot.gateway.handoff import Handoff
from bot.inbound import Inbound
from bot.replies import SUCCESS, Reply, Text, render_passive
from bot.services import Services

log = logging.getLogger(__name__)


def handle_once(services: Services, msg: Inbound, handoff: Handoff) -> None:
    """Answer msg through the handoff; a handler error gets a kind apology, and is logged."""
    try:
        with services.engine.begin() as conn:
            _handle(services, conn, msg, handoff, route=services.router.route)
        services.known_followers.add(msg.openid)
    except inbound_record.Replayed:
        raise  # not a delivery to answer: the gateway refuses it
    except Exception:
        # A handler bug must not cost the retiree their message or leave them without an answer.
        log.exception("handler failed for %s", msg.log_ref)
        apology = Text(services.texts.get("replies.error"))
        with services.engine.begin() as conn:
            _handle(services, conn, msg, handoff, route=lambda m, c: ("error", apology))


Route = Callable[[Inbound, Context], tuple[str, Reply]]


def _handle(services: Services, conn: sa.Connection, msg: Inbound, handoff: Handoff,
            route: Route) -> None:
    now = services.clock.now()
    claimed = inbound_record.claim(conn, msg, now)
    if claimed is None:  # WeChat's retry of a delivery already answered
        handoff.offer(stored_answer(conn, msg, now))
        return
    ctx = build_context(services, conn, msg, claimed.sender, now)
    try:
        name, reply = route(msg, ctx)
        if isinstance(reply, Text) and claimed.sender.has_mail:  # undelivered notices first
            reply = Text(with_mailbox(conn, services.texts, msg.openid, reply.content, now))
        late = not handoff.offer(render_passive(reply, openid=msg.openid, account=msg.account, now=now))
        if late and isinstance(reply, Text):
            outbox.enqueue(ctx.session, recipient=msg.openid, text=reply.content,
                           dedupe_key=f"late-reply:{msg.dedupe_key}", now=services.clock.now())
            log.warning("reply to %s missed the %.1fs budget; queued as a customer-service message",
                        msg.log_ref, services.settings.wechat.reply_budget)
        ctx.flush()
    finally:
        ctx.close()
    retiree_id, by_agent = ctx.on_behalf()
    inbound_record.settle(conn, claimed, route=name, late=late, retiree_id=retiree_id,
                          reply_text=reply.content if isinstance(reply, Text) else None,
                          by_agent=by_agent)


def stored_answer(conn: sa.Connection, msg: Inbound, now: datetime) -> str:
    """The passive reply the first delivery got (`success` if it was sent later instead)."""
    reply_text, late = inbound_record.recorded_reply(conn, msg)
    if late or reply_text is None:
        return SUCCESS
    return render_passive(Text(reply_text), openid=msg.openid, account=msg.account, now=now)


def build_context(services: Services, conn: sa.Connection, msg: Inbound, sender: Sender,
                  now: datetime) -> Context:
    """The handler context for msg: its follower (created on first contact), binding and state."""
    if msg.openid not in services.known_followers:
        followers.touch(conn, msg.openid, now)
    conversation = Conversation(conn, msg.openid, services.clock,
                                services.settings.conversation_ttl, sender.step, sender.data)
    return Context(openid=msg.openid, connection=conn, clock=services.clock,
                   conversation=conversation, texts=services.texts, settings=services.settings,
                   router=services.router, policies=services.policies, binding=sender.binding)


def dispatch(services: Services, msg: Inbound) -> str:
    """Handle msg with no time limit; the passive reply body (for commands and tests)."""
    handoff = Handoff()
    handle_once(services, msg, handoff)
    return handoff.body or SUCCESS
