"""A command said inside a sentence (「我想报名参加茶话会」), greetings, thanks and goodbyes.

Tried after the policy answers and before the fallback, so a policy question such as
「老年大学怎么报名」 is still answered as one. The words are in content/chat.toml [intents];
a bare 「好的」 or 「算了」 (the [answers] words) with nothing to answer gets a short 「好的」.
"""

from __future__ import annotations

from bot.care.detect import CareWords
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import normalize, short_forms
from handlers.menu import offer_menu


def register(router: Router) -> None:
    """Add the in-a-sentence matcher."""
    router.matcher("intent")(understand)


def register_feelings(router: Router) -> None:
    """Add the matcher for feelings (lonely, unwell), tried before the policy answers: 「老伴走了
    以后，我这心里空落落的」 is not a question about funeral money."""
    router.matcher("feeling")(feel)


def feel(msg: Inbound, ctx: Context) -> Reply | None:
    """A warm word for a feeling said without a question ([[intents.courtesies]] with first)."""
    return _courtesy_in(msg, ctx, first=True)


def understand(msg: Inbound, ctx: Context) -> Reply | None:
    """The action whose words the sentence contains (first listed wins), a warm word back for a
    greeting, thanks or goodbye, else None."""
    text = normalize(msg.text)
    table = ctx.texts.table("intents")
    for entry in table["actions"]:
        if _says(msg.text, text, entry["words"], whole=False):
            return ctx.act(entry["action"], msg)
    if (courtesy := _courtesy_in(msg, ctx, first=False)) is not None:
        return courtesy
    # 「嗯」「好」 with a task waiting is no 「好的，还有别的事吗」: the task asks its question again.
    if ctx.texts.yes_or_no(msg.text) is not None and not ctx.conversation.quiet:
        return Text(ctx.texts.get("replies.ok"))
    return None


def _courtesy_in(msg: Inbound, ctx: Context, *, first: bool) -> Reply | None:
    """The warm word for the first courtesy the message says (of those tried before the policy
    answers, or of the others), unless it also says one of its not_with words."""
    text = normalize(msg.text)
    for courtesy in ctx.texts.table("intents")["courtesies"]:
        if courtesy.get("first", False) == first and \
                _says(msg.text, text, courtesy["words"], whole=courtesy.get("whole", False)) \
                and not any(word in text for word in courtesy.get("not_with", ())):
            return _courtesy(ctx, courtesy, msg.text)
    return None


def _courtesy(ctx: Context, courtesy: dict, said: str) -> Reply:
    """The courtesy's reply; said of an elder (「我爸最近身体不太好」), its reply_relative for them."""
    words = CareWords.for_dir(ctx.settings.content_dir) if "reply_relative" in courtesy else None
    if words is not None and (relative := words.elder_said_of(said, courtesy["words"])) is not None:
        who = words.how_to_say(relative)
        reply = ctx.texts.fill(courtesy["reply_relative"].strip().replace("{who}", who))
    else:
        reply = ctx.texts.fill(courtesy["reply"].strip())
    menu = offer_menu(ctx) if courtesy.get("menu") else ""
    return Text(f"{reply}\n{menu}" if menu else reply, alone=courtesy.get("alone", False))


def _says(raw: str, text: str, words: list[str], whole: bool) -> bool:
    """Whether the message is one of words (particles and repeats aside), or, not whole,
    contains one."""
    if whole:
        return any(form in words for form in short_forms(raw))
    return any(word in text for word in words)
