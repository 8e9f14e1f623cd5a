"""Policy questions in the user's own words: the answer, or 「您是想问」 when two topics are close."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import parse_choice
from bot.policies import Decision
from bot.policies.replies import answer_text, related_topics, which_text
from handlers.menu import show_menu

STEP = "policy_choice"


def register(router: Router) -> None:
    """Add the policy matcher (after commands and menu numbers) and the numbered choice."""
    router.matcher("policy")(answer_question)
    router.step(STEP)(choose_topic)


def register_second_stage(router: Router) -> None:
    """Add the similarity matcher: last, when no command, keyword or intent understood it."""
    router.matcher("policy_similar")(answer_by_similarity)


def answer_question(msg: Inbound, ctx: Context) -> Reply | None:
    """The answer to a question about one topic; a numbered choice between close ones; else None."""
    return _reply(ctx, ctx.policies.by_keywords(msg.text))


def answer_by_similarity(msg: Inbound, ctx: Context) -> Reply | None:
    """The second stage's answer or 「您是想问」; None when nothing is close enough."""
    return _reply(ctx, ctx.policies.by_similarity(msg.text))


def _reply(ctx: Context, decision: Decision) -> Reply | None:
    if decision.topic is not None:
        return Text(answer_topic(ctx, decision.topic))
    if decision.ask_which:
        ctx.conversation.expect(STEP, {"topics": list(decision.candidates)})
        return Text(which_text(ctx.policies, ctx.texts, decision.candidates))
    return None


def choose_topic(msg: Inbound, ctx: Context) -> Reply | None:
    """The topic whose number the user replied (0: the menu); None if the reply is not one."""
    topics = ctx.conversation.data.get("topics", [])
    number = parse_choice(msg.text)
    if number is None or number > len(topics):
        return None
    if number == 0:
        return show_menu(msg, ctx)
    ctx.conversation.clear()
    return Text(answer_topic(ctx, topics[number - 1]))


def answer_topic(ctx: Context, topic_id: str) -> str:
    """A topic's answer; its related topics offered by number unless a task waits for its own."""
    related = related_topics(ctx.policies, topic_id)
    quiet = ctx.conversation.quiet
    if related and not quiet:
        ctx.conversation.offer(STEP, {"topics": related})
    return answer_text(ctx.policies, ctx.texts, topic_id, with_related=not quiet)
