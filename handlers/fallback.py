"""What the bot says when nothing else fits: never silence, always the way back to the menu."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from handlers.menu import offer_menu

MEDIA_KINDS = ("image", "video", "shortvideo", "location", "link", "file")


def register(router: Router) -> None:
    """Add the fallback, the empty-voice prompt and the reply to pictures and the like."""
    router.set_fallback(not_understood)
    router.on_kind("empty_voice")(voice_not_recognised)
    router.on_kind(*MEDIA_KINDS)(media_received)


def not_understood(msg: Inbound, ctx: Context) -> Reply:
    """A kind word and the numbered menu."""
    return Text(ctx.texts.get("replies.fallback", menu=offer_menu(ctx)))


def voice_not_recognised(msg: Inbound, ctx: Context) -> Reply:
    """A voice message without Recognition: ask to say it again, with numbers to reply instead
    (many cannot type); while a task waits, its own numbers follow (the router adds them)."""
    menu = offer_menu(ctx)
    return Text(ctx.texts.get("replies.empty_voice", menu=menu) if menu
                else ctx.texts.get("replies.empty_voice_in_step"))


def media_received(msg: Inbound, ctx: Context) -> Reply:
    """A picture, video or location: thank them and ask for words."""
    return Text(ctx.texts.get("replies.media"))

