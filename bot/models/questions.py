"""The policy questions the bot did not answer well, and what staff taught it from them: the
learning loop of 政策问答 (bot.questions)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.engine import Base

# What happened to a question: none of the topics was close ("unanswered"), 「您是想问」 was
# asked ("offered"; `picked` is the number's topic once chosen), or the person said the answer
# was not it ("not_this"; `answered` is the topic they got).
OUTCOME_NAMES = {"unanswered": "没答上", "offered": "问了「您是想问」", "not_this": "说答得不对"}
# Where staff left it: still to look at, taught to a topic, or not the office's to answer.
STATE_NAMES = {"open": "待处理", "assigned": "已归入话题", "out_of_scope": "不属于政策问答"}


class PolicyQuestion(Base):
    """One question as the person asked it (phone and ID numbers masked)."""

    __tablename__ = "policy_questions"
    __table_args__ = (sa.Index("ix_policy_questions_state", "state", "asked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime]
    openid: Mapped[str] = mapped_column(sa.String(64))
    via: Mapped[str] = mapped_column(sa.String(8))  # "chat" or "mini"
    inbound_key: Mapped[str | None] = mapped_column(sa.String(160))  # the chat message's inbound record
    text: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[str] = mapped_column(sa.String(12))
    offered: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    picked: Mapped[str | None] = mapped_column(sa.String(40))
    answered: Mapped[str | None] = mapped_column(sa.String(40))
    state: Mapped[str] = mapped_column(sa.String(12), default="open")
    topic: Mapped[str | None] = mapped_column(sa.String(40))  # the topic staff taught it to
    handled_by: Mapped[str | None] = mapped_column(sa.String(80))
    handled_at: Mapped[datetime | None]


class PolicyOverride(Base):
    """A change staff made to the knowledge base in the console, on top of content/: a new
    example question of a topic, or a topic's new answer (the latest one counts). `python -m
    bot content export` writes them into content/ and marks them exported."""

    __tablename__ = "policy_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # "example" or "answer"
    text: Mapped[str] = mapped_column(sa.Text)
    made_by: Mapped[str] = mapped_column(sa.String(80))
    made_at: Mapped[datetime]
    exported_at: Mapped[datetime | None]
