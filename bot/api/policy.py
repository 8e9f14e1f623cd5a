"""政策问答 for the mini-program: ask a question (the chat's router decides: an answer, or
topics to choose from, or neither), list the topics, read one topic's answer. The same engine
and the same words as the chat (bot.policies)."""

from __future__ import annotations

from typing import Any

from flask import abort
from pydantic import BaseModel, Field

from bot.api.spec import Error, Request, api, blueprint, documented, services
from bot.policies.engine import PolicyEngine, load_engine
from bot.policies.replies import answer_text, related_topics

MAX_QUESTION = 200  # characters: a question, not a letter


class Question(Request):
    """A question as a retiree or family member asks it."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION, description="想问的问题，如「离休费几号发」")


class TopicRef(BaseModel):
    """A topic by its id and title."""

    id: str
    title: str


class Answer(BaseModel):
    """What the chat would answer: a topic's answer, or topics to choose from, or neither."""

    topic: TopicRef | None = Field(description="答上的话题；没有把握时为空")
    candidates: list[TopicRef] = Field(description="「您是想问」时可选的话题")
    text: str = Field(description="要显示的话：话题的回答，或「您是想问」，或答不上来时的说明")


class Topics(BaseModel):
    """Every policy topic."""

    topics: list[TopicRef]


class TopicAnswer(BaseModel):
    """One topic's answer, with the topics it suggests next."""

    topic: TopicRef
    answer: str
    related: list[TopicRef]


@blueprint.post("/policy/ask")
@api.validate(json=Question, resp=documented(HTTP_200=Answer, HTTP_422=Error), tags=["政策问答"])
def ask(json: Question) -> Any:
    """问一个问题：和聊天里一样的回答。"""
    engine = _engine()
    decision = engine.decide(json.question)
    texts = services().texts
    if decision.topic:  # the answer alone: the chat's 「回复 1 …」 lines mean nothing to a tap
        text = answer_text(engine, texts, decision.topic, with_related=False)
    else:
        text = texts.get("policy.which") if decision.ask_which else texts.get("policy.unknown_app")
    return Answer(topic=_ref(engine, decision.topic) if decision.topic else None,
                  candidates=[_ref(engine, t) for t in decision.candidates if decision.ask_which], text=text)


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
    related = related_topics(engine, topic_id)
    return TopicAnswer(topic=_ref(engine, topic_id),
                       answer=answer_text(engine, services().texts, topic_id, with_related=False),
                       related=[_ref(engine, r) for r in related])


def _engine() -> PolicyEngine:
    return load_engine(services().settings.content_dir)


def _ref(engine: PolicyEngine, topic_id: str) -> TopicRef:
    return TopicRef(id=topic_id, title=engine.topics[topic_id].title)
