"""Queueing one message for an audience: one outbox row per account, each with its own key.

This is what every feature calls to send something on its own (notices, study pushes,
reminders, greetings): `deliver(session, "group:第一支部", key="study:2026-12:branch-3", …)`.
Queueing the same key again adds nothing, so a job that runs twice sends nobody anything twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.delivery.audience import Reach, Recipient, resolve
from bot.delivery.templates import addressed
from bot.models import Retiree

PerPerson = Callable[[Recipient], str]


def deliver(session: Session, audience: str, *, key: str, text: str, now: datetime,
            kind: str = "notice", title: str | None = None, due_at: datetime | None = None,
            mass: bool = False) -> Reach:
    """Queue text for everyone `audience` reaches (`all`, `group:<name>`, `retiree:<id>`).

    mass=True lets the sender reach the whole audience with one mass send (by the group's tag
    where it holds exactly these people), counted against each person's 4 a month; whoever
    has none left that month gets it by the other channels.
    """
    reach = resolve(session, audience)
    queue_reach(session, reach, key=key, text=text, now=now, kind=kind, title=title,
                due_at=due_at, mass=mass)
    return reach


def queue_reach(session: Session, reach: Reach, *, key: str, text: str | PerPerson, now: datetime,
                kind: str, title: str | None = None, due_at: datetime | None = None,
                notice_id: int | None = None, mass: bool = False, mass_text: str | None = None,
                batch: str | None = None) -> int:
    """Queue one row per account in reach, keyed `<key>:<retiree id or staff>:<openid>`.

    text may differ per person (their own link); a mass send carries mass_text, the same for
    all (default: text). batch names the rows that go in one mass send (default: key).
    """
    words = text if callable(text) else (lambda _: text)
    rows = [outbox.new_row(recipient=r.openid, text=words(r), title=title, kind=kind, now=now,
                           due_at=due_at, retiree_id=r.retiree_id, notice_id=notice_id,
                           dedupe_key=f"{key}:{r.retiree_id or 'staff'}:{r.openid}",
                           batch=(batch or key) if mass else None, mass_text=mass_text if mass else None,
                           tag_id=reach.tag_id if mass else None)
            for r in reach.recipients]
    outbox.enqueue_many(session, rows)
    return len(rows)


def addressed_copies(session: Session, reach: Reach, words: str | PerPerson) -> PerPerson:
    """Each recipient's text; a family member's says whom it is for first (under the heading,
    which a template's title field shows instead): a notice or a study push written to 您 is
    the elder's, not theirs."""
    names = dict(session.execute(sa.select(Retiree.id, Retiree.name).where(
        Retiree.id.in_({r.retiree_id for r in reach.recipients if r.for_family}))).all())

    def text(recipient: Recipient) -> str:
        said = words(recipient) if callable(words) else words
        if not (recipient.for_family and recipient.retiree_id in names):
            return said
        return addressed(said, names[recipient.retiree_id])
    return text
