"""What the bot says for a policy decision: the answer, or the numbered 「您是想问」 choice."""

from __future__ import annotations

from bot.language.texts import Texts
from bot.policies.engine import MAX_CHOICES, PolicyEngine


def answer_text(engine: PolicyEngine, texts: Texts, topic_id: str, with_related: bool = True,
                also: tuple[str, ...] = ()) -> str:
    """The topic's answer with the office's values filled in, then its related topics numbered
    (related_topics, also first) and the way to the menu; without related (a task waits: its own
    line ends the reply), the answer alone."""
    topic = engine.topics[topic_id]
    parts = [texts.get("policy.answer", title=topic.title, answer=texts.fill(topic.answer))]
    if not with_related:
        return parts[0]
    if related := related_topics(engine, topic_id, also):
        parts += ["", texts.get("policy.related"), *texts.numbered(titles(engine, related))]
    parts.append(texts.get("policy.footer"))
    return "\n".join(parts)


def longest_answer_text(engine: PolicyEngine, texts: Texts, topic_id: str) -> str:
    """The longest the chat may send the topic's answer in: with the longest titles of other
    topics listed first among its related ones, as many as an answer's also_close can hold."""
    related = set(related_topics(engine, topic_id))
    others = sorted((t for t in engine.topics if t != topic_id and t not in related),
                    key=lambda t: -len(engine.topics[t].title.encode()))
    return answer_text(engine, texts, topic_id, also=tuple(others[:MAX_CHOICES - 1]))


def related_topics(engine: PolicyEngine, topic_id: str, also: tuple[str, ...] = ()) -> list[str]:
    """The topics an answer offers next, by number: also (Decision.also_close) first, then the
    topic's related ones."""
    ordered = dict.fromkeys([*also, *engine.topics[topic_id].related])
    return [r for r in ordered if r in engine.topics and r != topic_id]


def which_text(engine: PolicyEngine, texts: Texts, candidates: tuple[str, ...]) -> str:
    """「您是想问：回复 1 … 回复 2 … 请回复数字」 for topics that fit about equally well."""
    return "\n".join([texts.get("policy.which"), *texts.numbered(titles(engine, candidates)),
                      texts.get("policy.which_footer")])


def titles(engine: PolicyEngine, topic_ids: list[str] | tuple[str, ...]) -> list[str]:
    """The titles of topics, in order."""
    return [engine.topics[t].title for t in topic_ids]
