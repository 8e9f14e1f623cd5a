"""What the bot says when nothing else fits: never silence, always the way back to the menu."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from handlers.menu import offer_menu

MEDIA_KINDS = ("image", "video", "shortvideo", "location", "link", "file")


def register(router: Router) -> None:
    """Add the fallback, the empty-voice prompt and the reply to pictures, stickers and the like."""
    router.set_fallback(not_understood)
    router.on_kind("empty_voice")(voice_not_recognised)
    router.on_kind(*MEDIA_KINDS)(media_received)
    router.on_kind("sticker")(sticker_received)


def not_understood(msg: Inbound, ctx: Context) -> Reply:
    """A kind word and the numbered menu."""
    return Text(ctx.texts.get("replies.fallback", menu=offer_menu(ctx)))


def voice_not_recognised(msg: Inbound, ctx: Context) -> Reply:
    """A voice message without Recognition: ask to say it again, with numbers to reply instead
    (many cannot type); while a task waits, its own numbers follow (the router adds them)."""
    return _asked_again(ctx, "empty_voice")


def media_received(msg: Inbound, ctx: Context) -> Reply:
    """A picture, video or location: thank them and ask for words."""
    return Text(ctx.texts.get("replies.media"))


def sticker_received(msg: Inbound, ctx: Context) -> Reply:
    """A sticker (表情包), which WeChat does not show us: thank them and ask for words, with the
    menu's numbers; while a task waits, its own numbers follow instead (the router adds them)."""
    return _asked_again(ctx, "sticker")


def _asked_again(ctx: Context, reply: str) -> Reply:
    """The reply asking for words, with the menu's numbers, or its shorter form (…_in_step)
    while a task waits for its own numbers."""
    menu = offer_menu(ctx)
    return Text(ctx.texts.get(f"replies.{reply}", menu=menu) if menu
                else ctx.texts.get(f"replies.{reply}_in_step"))
