"""政策问答 for the mini-program: ask a question (the chat's router decides: an answer, or
topics to choose from, or neither; news of a death, a fall or an emergency is a care report
first, as in the chat), list the topics, read one topic's answer. The same engine
and the same words as the chat (bot.policies, with staff's changes: bot.questions), and a
signed-in user's questions it could not answer are kept for staff as the chat's are."""

from __future__ import annotations

from typing import Any

from flask import abort
from pydantic import BaseModel, Field

from bot.api.care_news import hear
from bot.api.spec import Error, Request, api, blueprint, documented, maybe_signed_in, services
from bot.api.wording import for_the_app
from bot.db.engine import transaction
from bot.policies.engine import PolicyEngine
from bot.policies.replies import answer_text, related_topics
from bot.questions import keeping
from bot.questions.knowledge import knowledge_for

MAX_QUESTION = 200  # characters: a question, not a letter


class Question(Request):
    """A question as a retiree or family member asks it."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION, description="想问的问题，如「离休费几号发」")


class TopicRef(BaseModel):
    """A topic by its id and title."""

    id: str = Field(description="话题编号")
    title: str = Field(description="话题名称")


class Answer(BaseModel):
    """What the chat would answer: a topic's answer, or topics to choose from, or neither."""

    topic: TopicRef | None = Field(description="答上的话题；没有把握时为空")
    candidates: list[TopicRef] = Field(description="「您是想问」时可选的话题")
    also: list[TopicRef] = Field(default=[], description=(
        "答上了一个话题、这几个也接近时（比如一句话问了两件事）：接着可以看的话题，"
        "和聊天里排在「您可能还想了解」最前面的相同"))
    text: str = Field(description="要显示的话：话题的回答，或「您是想问」，或答不上来时的说明；"
                                  "说到重要情况时，是关心的话和现在该怎么办（急症先打 120）")
    care: str | None = Field(default=None, description=(
        "说到重要情况时的种类（和聊天里认的一样）：death 去世、critical 病危、hospital 住院、fall 摔倒、"
        "serious 查出重病、emergency 急症、missing 走失、despair 轻生念头、scam 被骗、fire 着火、gas 煤气、"
        "alone_ill 独自在家身体不适、not_eating 不吃不喝、theft 被盗；这时没有政策回答"))
    urgent: bool = Field(default=False, description=(
        "人命关天（急症、走失、着火……）：请把 text 醒目地显示，别的先不显示"))
    staff_told: bool = Field(default=False, description="工作人员已收到这条重要情况的提醒（登录了才会）")


class Topics(BaseModel):
    """Every policy topic."""

    topics: list[TopicRef] = Field(description="所有政策话题")


class TopicAnswer(BaseModel):
    """One topic's answer, with the topics it suggests next."""

    topic: TopicRef = Field(description="话题")
    answer: str = Field(description="话题的回答全文")
    related: list[TopicRef] = Field(description="接着可以看的话题")


@blueprint.post("/policy/ask")
@api.validate(json=Question, resp=documented(HTTP_200=Answer, HTTP_422=Error), tags=["政策问答"])
def ask(json: Question) -> Any:
    """问一个问题：和聊天里一样的回答。登录后问的，答不上或要选的会留给工作人员改进。"""
    with maybe_signed_in() as (session, user):
        if (news := hear(session, user, json.question)) is not None:  # before any policy, as in the chat
            return Answer(topic=None, candidates=[], text=news.text, care=news.kind, urgent=news.urgent,
                          staff_told=news.staff_told)
        engine = knowledge_for(services()).engine(session.connection())
        decision = engine.decide(json.question)
        if user is not None and keeping.for_staff(decision):
            keeping.keep(session, openid=user.openid, via="mini", text=json.question,
                         outcome="offered" if decision.ask_which else "unanswered",
                         offered=list(decision.candidates) if decision.ask_which else [],
                         now=services().clock.now())
    texts = services().texts
    if decision.topic:  # the answer alone: the chat's 「回复 1 …」 lines mean nothing to a tap
        text = for_the_app(texts, answer_text(engine, texts, decision.topic, with_related=False))
    else:
        text = texts.get("policy.which") if decision.ask_which else texts.get("policy.unknown_app")
    return Answer(topic=_ref(engine, decision.topic) if decision.topic else None,
                  candidates=[_ref(engine, t) for t in decision.candidates if decision.ask_which],
                  also=[_ref(engine, t) for t in engine.also_offered(json.question, decision)], text=text)


@blueprint.get("/policy/topics")
@api.validate(resp=documented(HTTP_200=Topics), tags=["政策问答"])
def topics() -> Any:
    """所有政策话题。"""
    engine = _engine()
    return Topics(topics=[_ref(engine, topic_id) for topic_id in engine.topics])


@blueprint.get("/policy/topics/<topic_id>")
@api.validate(resp=documented(HTTP_200=TopicAnswer, HTTP_404=Error), tags=["政策问答"])
def topic(topic_id: str) -> Any:
    """一个话题的回答。"""
    engine = _engine()
    if topic_id not in engine.topics:
        abort(404)
    related, texts = related_topics(engine, topic_id), services().texts
    return TopicAnswer(topic=_ref(engine, topic_id),
                       answer=for_the_app(texts, answer_text(engine, texts, topic_id, with_related=False)),
                       related=[_ref(engine, r) for r in related])


def _engine() -> PolicyEngine:
    with transaction(services().sessions) as session:
        return knowledge_for(services()).engine(session.connection())


def _ref(engine: PolicyEngine, topic_id: str) -> TopicRef:
    return TopicRef(id=topic_id, title=engine.topics[topic_id].title)
