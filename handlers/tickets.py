"""留言: a message for staff, in the user's own words, with a receipt number."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import normalize, parse_choice
from bot.models import Ticket
from bot.tickets.leaving import leave

STEP = "ticket"
WORDS = ("留言", "我要留言", "转人工", "人工", "人工服务", "找工作人员", "找人工")


def register(router: Router) -> None:
    """Add 「留言」 and the step that takes the message."""
    router.action("ticket", words=WORDS, event_keys=("TICKET",))(ask_for_message)
    # A report said at the prompt (「我老伴住院了」) goes to staff as a care report: the 留言 is done.
    router.step(STEP, remind=lambda ctx, data: ctx.texts.get("ticket.remind"), urgent="end")(take_message)


def ask_for_message(msg: Inbound, ctx: Context) -> Reply:
    """Ask what the message is; the next text or voice message is it."""
    ctx.conversation.expect(STEP)
    return Text(ctx.texts.get("ticket.ask"))


def take_message(msg: Inbound, ctx: Context) -> Reply:
    """Keep the message as a ticket, alert staff, and give the receipt number (0 or 算了 cancels)."""
    said = ctx.texts.yes_or_no(msg.text)
    if said is False or parse_choice(msg.text) == 0:
        ctx.conversation.clear()
        return Text(ctx.texts.get("ticket.cancelled"))
    if said or len(normalize(msg.text)) < 2:  # 「好的」 is not yet the message
        return Text(ctx.texts.get("ticket.too_short"))
    ticket = _open_ticket(msg, ctx)
    ctx.conversation.clear()
    return Text(ctx.texts.get("ticket.received", number=ticket.id))


def _open_ticket(msg: Inbound, ctx: Context) -> Ticket:
    return leave(ctx.session, ctx.settings, ctx.texts, openid=ctx.openid, binding=ctx.binding, text=msg.text,
                 now=ctx.now)
