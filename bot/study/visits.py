"""送学上门 for staff: who is to bring the month's material to whom, and recording it done —
which records the person's reading (via staff), so the report counts them as having studied."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.models import GroupMember, StaffAccount, StudyVisit
from bot.staff.roles import GRANTS, Can
from bot.study.readings import record_reading


class VisitError(ValueError):
    """The visit cannot be assigned or recorded; the message says why."""


def assigned(session: Session, month: str, retiree_ids: list[int]) -> dict[int, StudyVisit]:
    """The visits of the month for these people, by person."""
    return {v.retiree_id: v for v in session.scalars(sa.select(StudyVisit).where(
        StudyVisit.month == month, StudyVisit.retiree_id.in_(retiree_ids)))}


def _goers() -> sa.Select[tuple[StaffAccount]]:
    """Accounts that may go on a visit: in use, and allowed to edit (the roles' one table says)."""
    editing = [role for role, granted in GRANTS.items() if Can.EDIT in granted]
    return sa.select(StaffAccount).where(StaffAccount.disabled_at.is_(None), StaffAccount.role.in_(editing))


def visitors(session: Session, scope: int | None) -> list[str]:
    """Whom an account scoped so may send (by name): staff who may edit, the office's and, for a
    branch's account, its branch's (a branch's own account sees no other branch's people)."""
    goers = _goers().where(StaffAccount.group_id.is_(None) | (StaffAccount.group_id == scope)) \
        if scope is not None else _goers()
    return sorted({a.display_name for a in session.scalars(goers)})


def _may_go(session: Session, to: str, retiree_ids: list[int]) -> bool:
    """Whether an account of that name may edit and sees every one of these people."""
    for account in session.scalars(_goers().where(StaffAccount.display_name == to)):
        if account.group_id is None or set(retiree_ids) <= set(session.scalars(sa.select(
                GroupMember.retiree_id).where(GroupMember.group_id == account.group_id))):
            return True
    return False


def assign(session: Session, month: str, retiree_ids: list[int], to: str, *, actor: str,
           now: datetime) -> int:
    """Give these people's visits to a staff member who may see them all (a visit already done
    stays as it is); how many were given. Audit-logged."""
    to = to.strip()
    if not to:
        raise VisitError("请选择由谁去。")
    if not retiree_ids:
        raise VisitError("请至少勾选一位老同志。")
    if not _may_go(session, to, retiree_ids):
        raise VisitError(f"「{to}」不能安排：要选能在工作台看到这几位、能修改的工作人员。")
    have = assigned(session, month, retiree_ids)
    given = 0
    for retiree_id in retiree_ids:
        visit = have.get(retiree_id)
        if visit is None:
            session.add(StudyVisit(retiree_id=retiree_id, month=month, assigned_to=to, assigned_at=now))
        elif visit.done_at is None:
            visit.assigned_to, visit.assigned_at = to, now
        else:
            continue
        given += 1
    audit.record(session, actor=actor, action="study.visit_assign", at=now, target=f"study:{month}",
                 to=to, retirees=retiree_ids)
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
