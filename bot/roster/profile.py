"""Everything the office knows about one person, on one page: their record and groups, who
speaks for them in WeChat, sign-ups, readings, visits, care reports, 留言 and messages sent; and
the little a bound user is shown of it (on_record), in the chat and the mini-program alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.accounts.binding import national
from bot.models import (
    Activity,
    Binding,
    CareReport,
    CareTask,
    CareVisit,
    OutboxMessage,
    Retiree,
    Signup,
    StudyReading,
    Ticket,
)
from bot.roster.groups import GROUP_FIELDS
from bot.roster.search import find_person

RECENT = 30  # messages shown, newest first


@dataclass(frozen=True)
class Profile:
    """One person and what is kept about them, newest first in every list."""

    person: Retiree
    bindings: list[Binding]  # WeChat accounts that speak for them, current ones first
    signups: list[tuple[Signup, Activity]]
    readings: list[StudyReading]
    visits: list[CareVisit]
    tasks: list[CareTask]
    reports: list[CareReport]
    tickets: list[Ticket]
    messages: list[OutboxMessage]

    @property
    def circumstances(self) -> list[str]:
        """What staff should keep in mind when calling or visiting: 独居, 生活困难, 异地安置."""
        person = self.person
        relocated = "异地安置" + (f"：{person.relocated_to}" if person.relocated_to else "")
        return [word for word, on in (("独居", person.lives_alone), ("生活困难", person.hardship),
                                      (relocated, person.relocated)) if on]


def profile(session: Session, retiree_id: int, *, scope: int | None = None) -> Profile | None:
    """The person's profile; None when there is no such person, or they are outside the scope."""
    person = find_person(session, retiree_id, scope=scope)
    if person is None:
        return None
    bindings = list(session.scalars(sa.select(Binding).where(Binding.retiree_id == retiree_id)
                                    .order_by(Binding.unbound_at.is_not(None), Binding.bound_at.desc())))
    return Profile(
        person, bindings,
        [(s, a) for s, a in session.execute(
            sa.select(Signup, Activity).join(Activity, Activity.id == Signup.activity_id)
            .where(Signup.retiree_id == retiree_id).order_by(Activity.starts_at.desc()))],
        _newest(session, StudyReading, retiree_id, StudyReading.read_at),
        _newest(session, CareVisit, retiree_id, CareVisit.visited_on),
        _newest(session, CareTask, retiree_id, CareTask.due_on),
        _newest(session, CareReport, retiree_id, CareReport.created_at),
        _newest(session, Ticket, retiree_id, Ticket.created_at),
        _messages(session, retiree_id, {b.openid for b in bindings}),
    )


def _newest(session: Session, model: type[Any], retiree_id: int, newest: sa.ColumnElement[Any]) -> list[Any]:
    return list(session.scalars(sa.select(model).where(model.retiree_id == retiree_id)
                                .order_by(newest.desc(), model.id.desc())))


def _messages(session: Session, retiree_id: int, openids: set[str]) -> list[OutboxMessage]:
    """What the office sent them, or their family for them: by the person, or to their accounts."""
    about = OutboxMessage.retiree_id == retiree_id
    if openids:
        about = about | (OutboxMessage.recipient.in_(openids) & OutboxMessage.retiree_id.is_(None))
    return list(session.scalars(sa.select(OutboxMessage).where(about, OutboxMessage.kind != "staff")
                                .order_by(OutboxMessage.id.desc()).limit(RECENT)))


@dataclass(frozen=True)
class OnRecord:
    """What a bound user is shown of the person they are bound to: the name, 党支部 and phone the
    office keeps, the phone's middle hidden (a phone may be read by someone beside its owner)."""

    name: str
    branch: str | None
    phone: str | None


def on_record(person: Retiree) -> OnRecord:
    """What the office keeps of person, as a bound user is shown it."""
    branch = next((g.name for g in person.groups if g.kind == GROUP_FIELDS["branch"]), None)
    return OnRecord(person.name, branch, masked_phone(person.phone))


def masked_phone(phone: str | None) -> str | None:
    """A phone with most of it hidden: 13800001234 → 138****1234, 0571-87654321 → ****4321."""
    if not phone:
        return None
    digits = national(phone)
    if len(digits) == 11:  # a mobile: its first three say only the network
        return f"{digits[:3]}****{digits[-4:]}"
    return f"****{digits[-4:]}" if len(digits) >= 7 else "****"  # a landline: its end alone
