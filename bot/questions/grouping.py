"""The kept questions staff look at, grouped: the same question asked in different words is one
row, the most asked first, with the topics the bot would guess for it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import PolicyQuestion
from bot.policies import PolicyEngine
from bot.policies.engine import teachable

SAME_QUESTION = 0.5  # cosine at which two questions count as one asked twice
MAX_GUESSES = 3


@dataclass
class Group:
    """Questions alike enough to be taught together."""

    questions: list[PolicyQuestion] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)  # topic ids, likeliest first

    @property
    def ids(self) -> list[int]:
        """The questions' ids, for the one click that handles them all."""
        return [q.id for q in self.questions]

    @property
    def latest(self) -> PolicyQuestion:
        """The most recently asked."""
        return max(self.questions, key=lambda q: q.asked_at)


def open_groups(session: Session, engine: PolicyEngine, limit: int = 500) -> list[Group]:
    """The open questions (the newest `limit`), grouped, the most asked group first."""
    found = list(session.scalars(sa.select(PolicyQuestion).where(PolicyQuestion.state == "open")
                                 .order_by(PolicyQuestion.asked_at.desc()).limit(limit)))
    groups: list[tuple[dict[str, float], Group]] = []
    for question in reversed(found):  # oldest first: a group is named by its first wording
        vector = engine.similar.vector(question.text)
        for first, group in groups:
            if vector and sum(w * first.get(f, 0.0) for f, w in vector.items()) >= SAME_QUESTION:
                group.questions.append(question)
                break
        else:
            groups.append((vector, Group([question])))
    done = [group for _, group in groups]
    for group in done:
        group.guesses = _guesses(engine, group)
    return sorted(done, key=lambda g: (-len(g.questions), -g.latest.asked_at.timestamp()))


def _guesses(engine: PolicyEngine, group: Group) -> list[str]:
    """What people picked from 「您是想问」 first, then the second stage's closest topics — none
    that teaching would refuse (a guess the clerk picks must not be turned down as a slip)."""
    picked = Counter(q.picked for q in group.questions if q.picked in engine.topics)  # not a topic gone
    text = group.questions[0].text  # the group's questions read alike
    closest = [tid for tid, _ in engine.similar.scores(text, shared_words=0)]
    ordered = dict.fromkeys([*(t for t, _ in picked.most_common()), *closest])
    return teachable(engine, text, ordered)[:MAX_GUESSES]
