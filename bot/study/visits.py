"""送学上门 for staff: who is to bring the month's material to whom, and recording it done —
which records the person's reading (via staff), so the report counts them as having studied."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.models import StudyVisit
from bot.study.readings import record_reading


class VisitError(ValueError):
    """The visit cannot be assigned or recorded; the message says why."""


def assigned(session: Session, month: str, retiree_ids: list[int]) -> dict[int, StudyVisit]:
    """The visits of the month for these people, by person."""
    return {v.retiree_id: v for v in session.scalars(sa.select(StudyVisit).where(
        StudyVisit.month == month, StudyVisit.retiree_id.in_(retiree_ids)))}


def assign(session: Session, month: str, retiree_ids: list[int], to: str, *, actor: str,
           now: datetime) -> int:
    """Give these people's visits to a staff member (a visit already done stays as it is); how
    many were given. Audit-logged."""
    if not to.strip():
        raise VisitError("请选择由谁去。")
    if not retiree_ids:
        raise VisitError("请至少勾选一位老同志。")
    have = assigned(session, month, retiree_ids)
    given = 0
    for retiree_id in retiree_ids:
        visit = have.get(retiree_id)
        if visit is None:
            session.add(StudyVisit(retiree_id=retiree_id, month=month, assigned_to=to.strip(),
                                   assigned_at=now))
        elif visit.done_at is None:
            visit.assigned_to, visit.assigned_at = to.strip(), now
        else:
            continue
        given += 1
    audit.record(session, actor=actor, action="study.visit_assign", at=now, target=f"study:{month}",
                 to=to.strip(), retirees=retiree_ids)
    return given


def record_done(session: Session, month: str, retiree_id: int, notes: str, *, actor: str,
                now: datetime) -> StudyVisit:
    """The material was brought and studied: the visit done, the reading recorded (via staff).
    Audit-logged."""
    visit = assigned(session, month, [retiree_id]).get(retiree_id)
    if visit is None:
        raise VisitError("这位还没有安排人上门，请先安排。")
    if visit.done_at is not None:
        raise VisitError("这次上门已经记过了。")
    visit.done_at, visit.notes = now, notes.strip() or None
    record_reading(session, retiree_id, month, now, via="staff")
    audit.record(session, actor=actor, action="study.visit_done", at=now, target=f"retiree:{retiree_id}",
                 month=month)
    return visit
