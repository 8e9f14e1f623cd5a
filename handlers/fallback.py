"""What the bot says when nothing else fits: never silence, always the way back to the menu."""

from __future__ import annotations

import re

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import normalize
from bot.tickets.leaving import leave
from handlers.menu import offer_menu
from handlers.policy import asked_about
from handlers.tickets import added_to_last

MEDIA_KINDS = ("image", "video", "shortvideo", "location", "link", "file")
FOLLOW_UP = "fallback.follow_up"  # the offer to pass a question about the last topic to staff
# WeChat's own emoticons, typed from its face panel, arrive as text: 「[微笑]」「[玫瑰][玫瑰]」, or
# 「/::)」 from older phones. Alone, they are a smile sent, not a question nobody could answer.
_EMOTICONS = re.compile(r"(?:\[[\u4e00-\u9fffA-Za-z0-9]{1,6}\]|/:[^\s/\[]{1,6})+")
FOLLOW_UP_LENGTH = 8  # characters: 「在哪个医院」 follows an answer; a whole question stands alone
QUESTION_LENGTH = 6  # characters: 「取暖费几号发」 is a question of its own; 「什么」 is about the task


def register(router: Router) -> None:
    """Add the fallback, the empty-voice prompt and the reply to pictures, stickers and the like."""
    router.set_fallback(not_understood)
    router.set_unanswered(question_not_understood)
    router.step(FOLLOW_UP)(pass_on)
    router.on_kind("empty_voice")(voice_not_recognised)
    router.on_kind(*MEDIA_KINDS)(media_received)
    router.on_kind("sticker")(sticker_received)


def not_understood(msg: Inbound, ctx: Context) -> Reply:
    """A kind word and the numbered menu; right after a policy answer (「那要带什么材料」), the offer
    to pass the question to staff with the topic it follows, by one number; right after a 留言,
    added to it."""
    topic = asked_about(ctx) if msg.is_text_like and _follows_on(msg.text) else None
    if topic is not None and ctx.conversation.offer(FOLLOW_UP, {"text": msg.text, "topic": topic}):
        return Text(ctx.texts.get("replies.follow_up", topic=topic))
    if (added := added_to_last(msg, ctx)) is not None:  # right after a 留言: more of it, not lost
        return added
    if msg.is_text_like and _EMOTICONS.fullmatch(msg.text.strip()):
        return Text(ctx.texts.get("replies.emoticon", menu=offer_menu(ctx)))
    if msg.is_text_like and not normalize(msg.text):  # 「？」「。。。」: someone waiting, not a question
        return Text(ctx.texts.get("replies.only_marks", menu=offer_menu(ctx)))
    return Text(ctx.texts.get("replies.fallback", menu=offer_menu(ctx)))


def question_not_understood(msg: Inbound, ctx: Context) -> str | None:
    """Said before the waiting task's reminder when a question of its own (「我想问问冬天取暖费什么时候
    发」) was understood by nothing: that it cannot be answered here, and 留言; None for what asks
    nothing, or asks about the task's own words (「什么意思」): the reminder alone answers those."""
    plain = normalize(msg.text) if msg.is_text_like else ""
    if (len(plain) < QUESTION_LENGTH or not ctx.texts.mentions(plain, "replies.question_words")
            or ctx.texts.mentions(plain, "replies.about_the_prompt")):
        return None
    return ctx.texts.get("replies.not_understood_in_task")


def _follows_on(text: str) -> bool:
    """Whether text reads as a follow-up to the answer before it (「那要带什么材料」「交多少」), not
    a question of its own (「地铁几号线能到你们单位」)."""
    plain = normalize(text)
    return len(plain) <= FOLLOW_UP_LENGTH or plain.startswith(("那", "还有", "另外"))


def pass_on(msg: Inbound, ctx: Context) -> Reply | None:
    """1 (or 好的): the follow-up question goes to staff as a 留言, with the topic it followed."""
    if ctx.texts.choice(msg.text, yes=1) != 1:
        return None
    data = ctx.conversation.data
    ctx.conversation.clear()
    text = ctx.texts.get("replies.follow_up_ticket", topic=data.get("topic", ""), said=data.get("text", ""))
    ticket = leave(ctx.session, ctx.settings, ctx.texts, openid=ctx.openid, binding=ctx.binding, text=text,
                   now=ctx.now)
    return Text(ctx.texts.get("ticket.received", number=ticket.id))


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
