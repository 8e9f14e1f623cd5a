"""Dispatch: one delivery in, one reply out — claimed, handled, recorded and answered in a single
transaction, so a retry never runs a handler twice and a crash loses nothing."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from bot import followers, outbox
from bot.context import SENDER_COLUMNS, SENDER_FROM, Context, Sender, read_sender, sender_from
from bot.conversation import Conversation
from bot.db import upsert
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
        with services.engine.begin() as conn:
            _handle(services, conn, msg, handoff, route=services.router.route)
        services.known_followers.add(msg.openid)
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
    record_id, sender = claim(conn, msg, now)
    if record_id is None or sender is None:  # WeChat's retry of a delivery already answered
        handoff.offer(stored_answer(conn, msg))
        return
    ctx = build_context(services, conn, msg, sender)
    try:
        name, reply = route(msg, ctx)
        if isinstance(reply, Text) and sender.has_mail:  # notices that could not reach them first
            reply = Text(with_mailbox(conn, services.texts, msg.openid, reply.content, now))
        late = not handoff.offer(render_passive(reply, openid=msg.openid, account=msg.account))
        if late and isinstance(reply, Text):
            outbox.enqueue(ctx.session, recipient=msg.openid, text=reply.content,
                           dedupe_key=f"late-reply:{msg.dedupe_key}", now=services.clock.now())
            log.warning("reply to %s missed the %.1fs budget; queued as a customer-service message",
                        msg.log_ref, services.settings.wechat.reply_budget)
        ctx.flush()
    finally:
        ctx.close()
    retiree_id, by_agent = ctx.on_behalf()
    conn.execute(_SETTLE, {"record_id": record_id, "route": name, "late": late,
                           "reply_text": reply.content if isinstance(reply, Text) else None,
                           "retiree_id": retiree_id, "by_agent": by_agent})


def claim(conn: sa.Connection, msg: Inbound, now: datetime) -> tuple[int | None, Sender | None]:
    """Record msg and read who sent it: the record's id and the sender, or (None, None) when this
    delivery was recorded before (a retry)."""
    values = {"dedupe_key": msg.dedupe_key, "openid": msg.openid, "msg_id": msg.msg_id or None,
              "msg_type": msg.kind, "event": msg.event or None,
              "text": msg.text or msg.event_key or None, "sent_at": msg.sent_at,
              "received_at": now, "route": "pending", "reply_text": None, "replied_late": False,
              "retiree_id": None, "by_agent": False}
    if conn.dialect.name == "postgresql":  # one round trip for both
        params = {**_claim_params(values), "openid": msg.openid, "now": now}
        row = conn.execute(_CLAIM_AND_READ, params).one()._mapping
        record_id = row["claimed_id"]
        return (record_id, sender_from(row)) if record_id is not None else (None, None)
    record_id = conn.execute(_claim_statement(conn.dialect.name), values).scalar()
    if record_id is None:
        return None, None
    return record_id, read_sender(conn, msg.openid, now)


@functools.cache
def _claim_statement(dialect_name: str) -> sa.Insert:
    return upsert(_TABLE, dialect_name, "dedupe_key", ()).returning(_TABLE.c.id)


def _claim_params(values: dict[str, Any]) -> dict[str, Any]:
    return {f"record_{key}": value for key, value in values.items()}


# PostgreSQL: the claim's INSERT as a data-modifying CTE of the sender's read. Its parameters are
# prefixed: the sender's read has its own `openid`.
_CLAIMED = (postgresql.insert(_TABLE)
            .values({c: sa.bindparam(f"record_{c.key}", type_=c.type)
                     for c in _TABLE.c if c.key != "id"})
            .on_conflict_do_nothing(index_elements=[_TABLE.c.dedupe_key])
            .returning(_TABLE.c.id).cte("claimed"))
_CLAIM_AND_READ = (sa.select(_CLAIMED.c.id.label("claimed_id"), *SENDER_COLUMNS)
                   .select_from(SENDER_FROM.outerjoin(_CLAIMED, sa.true())))


def stored_answer(conn: sa.Connection, msg: Inbound) -> str:
    """The passive reply the first delivery got (`success` if it was sent later instead)."""
    row = conn.execute(_STORED, {"key": msg.dedupe_key}).one()
    if row.replied_late or row.reply_text is None:
        return SUCCESS
    return render_passive(Text(row.reply_text), openid=msg.openid, account=msg.account)


def build_context(services: Services, conn: sa.Connection, msg: Inbound, sender: Sender) -> Context:
    """The handler context for msg: its follower (created on first contact), binding and state."""
    if msg.openid not in services.known_followers:
        followers.touch(conn, msg.openid, services.clock.now())
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
