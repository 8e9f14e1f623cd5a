"""What staff teach the bot from the questions it kept: a question becomes a known question of a
topic (answered so when asked in its words, and an example for the second stage) unless its
keywords clearly lead elsewhere, or is marked as not the office's to answer; a topic's answer is
rewritten. Each change is audit-logged and kept in the database on top of content/
(bot.questions.knowledge)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.language.office import placeholder_problems
from bot.language.texts import Texts
from bot.models import PolicyOverride, PolicyQuestion
from bot.policies import PolicyEngine
from bot.policies.engine import teaching_problem
from bot.policies.replies import answer_text, longest_answer_text
from bot.policies.topics import NOT_OURS
from bot.wechat_api.rules import WECHAT_TEXT_LIMIT


class TeachingError(ValueError):
    """A change that cannot be made, with the sentence that tells staff why."""


@dataclass(frozen=True)
class Taught:
    """What teaching a topic did: the questions that became examples, and those that could not."""

    added: list[PolicyQuestion]
    refused: list[tuple[PolicyQuestion, str]]


def assign(session: Session, engine: PolicyEngine, ids: Iterable[int], topic: str, *, actor: str,
           now: datetime) -> Taught:
    """Make each open question a known question of topic, unless its keywords lead to another
    topic; the questions stay kept, marked as taught."""
    if not topic:  # a guess picked for them would teach the bot a wrong answer
        raise TeachingError("请先选一个话题，再点「归入」。")
    if topic not in engine.topics:
        raise TeachingError(f"没有「{topic}」这个话题。")
    added, refused = [], []
    examples = set(engine.topics[topic].examples)
    waiting = _open(session, ids)
    for question in waiting:
        if problem := teaching_problem(engine, topic, question.text):
            refused.append((question, problem))
            continue
        if question.text not in examples:
            session.add(PolicyOverride(topic=topic, kind="example", text=question.text, made_by=actor,
                                       made_at=now))
            examples.add(question.text)
        _handle(question, "assigned", topic, actor, now)
        added.append(question)
    if added:
        audit.record(session, actor=actor, action="policy.teach", at=now, target=f"topic:{topic}",
                     questions=[q.id for q in added])
    return Taught(added, refused)


def out_of_scope(session: Session, ids: Iterable[int], *, actor: str, now: datetime) -> int:
    """Mark open questions as not the office's to answer (refused when asked in the same words,
    and once exported, in asked.tsv with 「-」, one more question the router learns what someone
    else's matter reads like from); how many were marked."""
    marked = [q for q in _open(session, ids)]
    for text in dict.fromkeys(q.text for q in marked):  # the same words asked twice: one mark
        session.add(PolicyOverride(topic=NOT_OURS, kind="example", text=text, made_by=actor, made_at=now))
    for question in marked:
        _handle(question, "out_of_scope", None, actor, now)
    if marked:
        audit.record(session, actor=actor, action="policy.out_of_scope", at=now,
                     questions=[q.id for q in marked])
    return len(marked)


def pending(session: Session) -> list[PolicyOverride]:
    """The questions taught to a topic or marked not ours in the console and not yet exported,
    newest first: they can still be undone (once exported they are content/policies/asked.tsv's
    lines)."""
    marks = sa.select(PolicyOverride).where(PolicyOverride.kind == "example",
                                            PolicyOverride.exported_at.is_(None))
    return list(session.scalars(marks.order_by(PolicyOverride.id.desc())))


def undo(session: Session, mark_id: int, *, actor: str, now: datetime) -> int:
    """Undo a question taught to a topic, or marked not ours, that is not exported yet: its words
    are answered as before and the questions handled with them wait for staff again; how many
    did (TeachingError: no such mark)."""
    mark = session.get(PolicyOverride, mark_id)
    if mark is None or mark.kind != "example" or mark.exported_at is not None:
        raise TeachingError("没有这个可以撤销的记录：可能已经撤销，或已经导出到内容文件"
                            "（导出后要改，请找管理内容文件的同事）。")
    not_ours = mark.topic == NOT_OURS
    handled = (PolicyQuestion.state == "out_of_scope" if not_ours else
               sa.and_(PolicyQuestion.state == "assigned", PolicyQuestion.topic == mark.topic))
    reopened = list(session.scalars(sa.select(PolicyQuestion).where(handled,
                                                                    PolicyQuestion.text == mark.text)))
    for question in reopened:
        _handle(question, "open", None, None, None)
    session.delete(mark)
    action = "policy.out_of_scope_undone" if not_ours else "policy.teach_undone"
    audit.record(session, actor=actor, action=action, at=now,
                 target=None if not_ours else f"topic:{mark.topic}", questions=[q.id for q in reopened])
    return len(reopened)


def answer_problems(engine: PolicyEngine, texts: Texts, office: dict[str, str], topic: str,
                    answer: str) -> list[str]:
    """What content check would say of this answer for topic (empty: it may be saved)."""
    if topic not in engine.topics:
        return [f"没有「{topic}」这个话题。"]
    if not answer.strip():
        return ["回答不能是空的。"]
    problems = placeholder_problems(answer, office)
    if not problems:
        size = len(longest_answer_text(_with_answer(engine, topic, answer), texts, topic).encode())
        if size > WECHAT_TEXT_LIMIT:
            problems.append(f"回答太长（{size} 字节，微信最多约 {WECHAT_TEXT_LIMIT} 字节），请删短一些。")
    return problems


def preview(engine: PolicyEngine, texts: Texts, topic: str, answer: str) -> str:
    """The reply a retiree would read with this answer (office details filled in)."""
    return answer_text(_with_answer(engine, topic, answer), texts, topic)


def _with_answer(engine: PolicyEngine, topic: str, answer: str) -> PolicyEngine:
    return engine.with_changes([], {topic: answer.strip()})


def rewrite_answer(session: Session, engine: PolicyEngine, texts: Texts, office: dict[str, str],
                   topic: str, answer: str, *, actor: str, now: datetime) -> None:
    """Give topic a new answer (TeachingError with every problem when it cannot be saved)."""
    if problems := answer_problems(engine, texts, office, topic, answer):
        raise TeachingError("".join(problems))
    session.add(PolicyOverride(topic=topic, kind="answer", text=answer.strip(), made_by=actor, made_at=now))
    audit.record(session, actor=actor, action="policy.answer", at=now, target=f"topic:{topic}")


def _open(session: Session, ids: Iterable[int]) -> list[PolicyQuestion]:
    wanted = list(ids)
    return list(session.scalars(sa.select(PolicyQuestion).where(
        PolicyQuestion.id.in_(wanted), PolicyQuestion.state == "open").order_by(PolicyQuestion.id)))


def _handle(question: PolicyQuestion, state: str, topic: str | None, actor: str | None,
            now: datetime | None) -> None:
    question.state, question.topic, question.handled_by, question.handled_at = state, topic, actor, now

