"""Following and unfollowing the account."""

from __future__ import annotations

from bot.accounts import followers
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Silence, Text
from bot.conversation.router import Router
from handlers.binding import ask_name
from handlers.menu import offer_menu


def register(router: Router) -> None:
    """Add the subscribe and unsubscribe events."""
    router.on_event("subscribe", "subscribe_scan")(welcome)
    router.on_event("unsubscribe")(farewell)


def welcome(msg: Inbound, ctx: Context) -> Reply:
    """A warm welcome; then the binding question, or the menu for someone already bound."""
    followers.mark_followed(ctx.follower, ctx.now)
    if ctx.binding is not None:
        key = "welcome_back_family" if ctx.binding.is_agent else "welcome_back"
        back = ctx.texts.get(key, name=ctx.binding.retiree.name, relation=ctx.binding.relation)
        return Text(f"{back}\n{offer_menu(ctx)}")
    question = ask_name(ctx, invited=True)
    assert isinstance(question, Text)
    return Text(f"{ctx.texts.get('welcome')}\n{question.content}")


def farewell(msg: Inbound, ctx: Context) -> Reply:
    """Mark the follower inactive; nothing is deleted and WeChat shows nothing to them."""
    followers.mark_unfollowed(ctx.follower, ctx.now)
    ctx.conversation.clear()
    return Silence()
