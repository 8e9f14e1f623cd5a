"""One delivery in, one reply out: the story of a message, in a single transaction.

1. claim it (its first statement): a retry of a delivery already answered gets that answer;
2. handle it: the router picks the handler, which reads and writes through its context;
3. record it with what answered it (its last statement), and commit.

Nothing is lost: a handler's error rolls its writes back and the retiree gets a kind apology,
recorded like any answer; a retry never runs a handler twice. How the claim and the record
reach the database (two round trips on PostgreSQL) is bot.conversation.record's business.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa

from bot.accounts import followers
from bot.conversation import record
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import SUCCESS, Reply, Text, render_passive
from bot.conversation.router import Router
from bot.conversation.steps import Conversation
from bot.delivery import outbox
from bot.delivery.mailbox import with_mailbox
from bot.services import Services

if TYPE_CHECKING:
    from bot.policies import PolicyEngine

log = logging.getLogger(__name__)
Route = Callable[[Inbound, Context], tuple[str, Reply]]


class Handoff(Protocol):
    """Who delivers the reply: the request still waiting for it (True), or, after the 5-second
    budget, the outbox (False). The gateway's handoff is one."""

    def offer(self, body: str) -> bool:
        """From the handler, before it commits: True when the waiting request will send body."""


@dataclass(frozen=True)
class Responder:
    """What answers messages: the process's services, the router with every handler, and the
    policy knowledge base as of the message's transaction (content/ and staff's changes: the
    faces hand in bot.questions' Knowledge.engine)."""

    services: Services
    router: Router
    policies: Callable[[sa.Connection], PolicyEngine]
    # What a message's words say, read before its transaction (Knowledge.read_ahead).
    read_ahead: Callable[[str], None] = lambda text: None

    def handle_once(self, msg: Inbound, handoff: Handoff) -> None:
        """Answer msg through the handoff; a handler's error gets a kind apology, and is logged."""
        try:
            self._read_ahead(msg)
            with self.services.engine.begin() as conn:
                self._answer(conn, msg, handoff, self.router.route)
            self.services.known_followers.add(msg.openid)
        except record.Replayed:
            raise  # not a delivery to answer: the gateway refuses it
        except Exception:
            # A handler bug must not cost the retiree their message or leave them without an answer.
            log.exception("handler failed for %s", msg.log_ref)
            apology = Text(self.services.texts.get("replies.error"))
            with self.services.engine.begin() as conn:
                self._answer(conn, msg, handoff, lambda m, c: ("error", apology))

    def answer(self, msg: Inbound) -> str:
        """Handle msg with no time limit; the passive reply body (for commands and tests)."""
        handoff = _Waiting()
        self.handle_once(msg, handoff)
        return handoff.body or SUCCESS

    def _read_ahead(self, msg: Inbound) -> None:
        """On SQLite, what msg's words say, read before its transaction: a message holds the one
        write lock from its claim to its commit, and the reading depends on the words alone, so it
        is done while the other worker's message holds the lock (bench/webhook.py's mix served a
        tenth to a quarter more). Not on PostgreSQL, whose messages do not wait for one another
        (there it would only add the readings no handler asks for), nor for a number or a command."""
        if (self.services.engine.dialect.name == "sqlite" and msg.is_text_like and msg.text
                and self.router.may_be_read(msg.text)):
            try:
                self.read_ahead(msg.text)
            except Exception:  # only a head start: a handler that needs the reading reads it again
                log.exception("reading %s ahead failed", msg.log_ref)

    def _answer(self, conn: sa.Connection, msg: Inbound, handoff: Handoff, route: Route) -> None:
        now = self.services.clock.now()
        claimed = record.claim(conn, msg, now)  # 1. the claim
        if claimed is None:  # WeChat's retry of a delivery already answered
            handoff.offer(self._stored_answer(conn, msg, now))
            return
        ctx = self._context(conn, msg, claimed.sender, now)
        try:
            name, reply = route(msg, ctx)  # 2. the handling
            if isinstance(reply, Text) and not reply.alone and claimed.sender.has_mail:  # notices first
                reply = Text(with_mailbox(conn, self.services.texts, msg.openid, reply.content, now))
            late = not handoff.offer(render_passive(reply, openid=msg.openid, account=msg.account, now=now))
            if late and isinstance(reply, Text):
                self._send_later(ctx, msg, reply)
            conversation_write = ctx.flush()
        finally:
            ctx.close()
        retiree_id, by_agent = ctx.on_behalf()
        record.settle(conn, claimed, route=name, late=late, retiree_id=retiree_id,  # 3. the record
                      reply_text=reply.content if isinstance(reply, Text) else None, by_agent=by_agent,
                      first=conversation_write)

    def _send_later(self, ctx: Context, msg: Inbound, reply: Text) -> None:
        outbox.enqueue(ctx.session, recipient=msg.openid, text=reply.content,
                       dedupe_key=f"late-reply:{msg.dedupe_key}", now=self.services.clock.now())
        log.warning("reply to %s missed the %.1fs budget; queued as a customer-service message",
                    msg.log_ref, self.services.settings.wechat.reply_budget)

    def _stored_answer(self, conn: sa.Connection, msg: Inbound, now: datetime) -> str:
        """The passive reply the first delivery got (`success` if it was sent later instead)."""
        reply_text, late = record.recorded_reply(conn, msg)
        if late or reply_text is None:
            return SUCCESS
        return render_passive(Text(reply_text), openid=msg.openid, account=msg.account, now=now)

    def _context(self, conn: sa.Connection, msg: Inbound, sender: record.Sender, now: datetime) -> Context:
        """The handler context for msg: its follower (created on first contact), binding and state."""
        services = self.services
        if msg.openid not in services.known_followers:
            followers.touch(conn, msg.openid, now)
        conversation = Conversation(conn, msg.openid, services.clock, services.settings.conversation_ttl,
                                    sender.step, sender.data, sender.lapsed, sender.lapsed_data)
        return Context(openid=msg.openid, connection=conn, clock=services.clock,
                       conversation=conversation, texts=services.texts, settings=services.settings,
                       act=self.router.act, policies=self.policies(conn), bound_as=sender.bound_as)



class _Waiting:
    """A handoff that always waits: for commands and tests, which have no 5-second budget."""

    def __init__(self) -> None:
        self.body: str | None = None

    def offer(self, body: str) -> bool:
        """Keep body for the caller."""
        self.body = body
        return True
