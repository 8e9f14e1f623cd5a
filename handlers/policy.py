"""Policy questions in the user's own words: the answer, or 「您是想问」 when two topics are close."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import clauses, normalize, parse_choice, short_forms
from bot.policies import ANSWERING_ROUTES, Decision
from bot.policies.replies import answer_text, related_topics, which_text
from bot.questions import keeping
from handlers.menu import show_menu

STEP = "policy_choice"
FOLLOW_UP_WITHIN = timedelta(minutes=10)  # a follow-up this soon after a policy answer is about it
# 「不对」 later than this is about something else (a call, a visit), not the answer on the screen.
NOT_THIS_WITHIN = timedelta(minutes=30)


def register(router: Router) -> None:
    """Add 「不对」 after an answer, the policy matcher (after commands and menu numbers) and the
    numbered choice."""
    router.matcher("policy_not_this")(not_this)
    router.matcher("policy")(answer_question)
    router.step(STEP)(choose_topic)


def register_second_stage(router: Router) -> None:
    """Add the similarity matcher: last, when no command, keyword or intent understood it."""
    router.matcher("policy_similar")(answer_by_similarity)


def answer_question(msg: Inbound, ctx: Context) -> Reply | None:
    """The answer to a question about one topic; a numbered choice between close ones; else None."""
    return _reply(msg, ctx, ctx.policies.first_answer(msg.text))


def answer_by_similarity(msg: Inbound, ctx: Context) -> Reply | None:
    """The second stage's answer or 「您是想问」; None when nothing is close enough (the question
    is kept for staff, unless a task waits and will ask its own question again, or staff already
    marked these words not ours)."""
    decision = ctx.policies.by_similarity(msg.text)
    reply = _reply(msg, ctx, decision)
    if (reply is None and keeping.for_staff(decision) and not ctx.conversation.quiet
            and msg.is_text_like and _worth_keeping(msg.text)):
        _keep(msg, ctx, "unanswered")
    return reply


def not_this(msg: Inbound, ctx: Context) -> Reply | None:
    """「不对」 right after a policy answer: sorry, the question is kept for staff; else None.
    「不对，我问的是体检」 keeps it too and leaves what follows to the policy matcher (None), or says
    sorry when what follows names nothing; never while a task waits (「不对，选C」 in a quiz).
    The answer is read back from the last message's inbound record (its words, its route), so
    nothing is written for the many answers nobody objects to."""
    words = ctx.texts.words("policy.not_this")
    alone = bool(set(short_forms(msg.text)) & words)
    task_waits = ctx.conversation.quiet or ctx.conversation.step not in (None, STEP)
    if not alone and (task_waits or not _starts_with(msg.text, words)):
        return None
    previous = keeping.latest_message(ctx.session, msg.openid, since=ctx.clock.now() - NOT_THIS_WITHIN)
    if previous is None or previous.route not in ANSWERING_ROUTES or not previous.text:
        return None  # nothing was answered by a policy just before
    answered = ctx.policies.decide(previous.text).topic  # the same words, the same answer
    if answered is None:
        return None
    if ctx.conversation.step == STEP:
        ctx.conversation.clear()
    keeping.keep(ctx.session, openid=msg.openid, via="chat", text=previous.text, outcome="not_this",
                 answered=answered, inbound_key=msg.dedupe_key, now=ctx.clock.now())
    if not alone and ctx.policies.by_keywords(msg.text).names_a_topic:
        return None  # the policy matcher answers what follows the 「不对」
    return Text(ctx.texts.get("policy.not_this_reply"))


def _starts_with(text: str, words: set[str]) -> bool:
    """Whether text opens with one of words as a clause of its own, and says more after it
    (「不对，我问的是体检」): the policy matcher then reads what follows."""
    parts = clauses(text)
    return len(parts) > 1 and bool(set(short_forms(parts[0])) & words)


def _reply(msg: Inbound, ctx: Context, decision: Decision) -> Reply | None:
    if decision.topic is not None:
        answer = answer_topic(ctx, decision.topic, ctx.policies.also_offered(msg.text, decision))
        return Text(f"{_sorry(ctx, msg.text)}{answer}")
    if decision.ask_which:
        offered = list(decision.candidates)
        asked = _keep(msg, ctx, "offered", offered) if not ctx.conversation.quiet else None
        ctx.conversation.expect(STEP, {"topics": offered, "asked": asked})
        return Text(which_text(ctx.policies, ctx.texts, decision.candidates))
    return None


def _sorry(ctx: Context, text: str) -> str:
    """An apology and the offer to look into it, before the answer to a complaint (「医药费报销
    三个月了还没到账」): a card alone reads as if nobody heard the complaint; else ""."""
    plain = normalize(text)
    if not any(word in plain for word in ctx.texts.words("policy.complaint_words")):
        return ""
    return ctx.texts.get("policy.complaint") + "\n\n"


def _keep(msg: Inbound, ctx: Context, outcome: str, offered: list[str] | None = None) -> int:
    return keeping.keep(ctx.session, openid=msg.openid, via="chat", text=msg.text, outcome=outcome,
                        offered=offered, inbound_key=msg.dedupe_key, now=ctx.clock.now()).id


def _worth_keeping(text: str) -> bool:
    """At least two Chinese characters: 「？」 or 「ok」 teaches nothing."""
    return sum("\u4e00" <= c <= "\u9fff" for c in text) >= 2


def choose_topic(msg: Inbound, ctx: Context) -> Reply | None:
    """The topic whose number the user replied (0: the menu); None if the reply is not one."""
    topics = ctx.conversation.data.get("topics", [])
    number = parse_choice(msg.text)
    if number is None or number > len(topics):
        return None
    if number == 0:
        return show_menu(msg, ctx)
    asked = ctx.conversation.data.get("asked")
    ctx.conversation.clear()
    if asked:
        keeping.picked(ctx.session, asked, topics[number - 1])
    return Text(answer_topic(ctx, topics[number - 1]))


def asked_about(ctx: Context) -> str | None:
    """The title of the topic the last message was answered with, within FOLLOW_UP_WITHIN: what
    「那要带什么材料」「找谁办」 is likely about; None otherwise. Read back from the last message's
    inbound record, as not_this does: nothing is written for the many answers nobody follows up."""
    previous = keeping.latest_message(ctx.session, ctx.openid, since=ctx.now - FOLLOW_UP_WITHIN)
    if previous is None or previous.route not in ANSWERING_ROUTES or not previous.text:
        return None
    answered = ctx.policies.decide(previous.text).topic
    return ctx.policies.topics[answered].title if answered else None


def answer_topic(ctx: Context, topic_id: str, also: tuple[str, ...] = ()) -> str:
    """A topic's answer; its related topics (also first) offered by number unless a task waits
    for its own."""
    related = related_topics(ctx.policies, topic_id, also)
    quiet = ctx.conversation.quiet
    if related and not quiet:
        ctx.conversation.offer(STEP, {"topics": related})
    return answer_text(ctx.policies, ctx.texts, topic_id, with_related=not quiet, also=also)
