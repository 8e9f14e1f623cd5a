"""Visits staff record (慰问记录), and who has had none this year though they may need one."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.care.reports import CareError
from bot.clock import SHANGHAI
from bot.models import CareTask, CareVisit, Retiree
from bot.models.roster import POOR_HEALTH

KINDS = ("生日", "住院", "节日", "日常", "遗属")
NEEDS_VISIT_HEALTH = POOR_HEALTH


@dataclass(frozen=True)
class YearSummary:
    """A year of visits: per retiree and type, and those with none who may need one."""

    by_retiree: dict[int, Counter[str]]
    by_kind: Counter[str]
    overlooked: list[tuple[Retiree, str]]  # the person and why they may need a visit


def add_visit(session: Session, retiree_id: int, kind: str, visited_on: date, visitor: str,
              notes: str | None, *, actor: str, now: datetime) -> CareVisit:
    """Record one visit; audit-logged."""
    if kind not in KINDS:
        raise CareError(f"慰问类型应为 {'、'.join(KINDS)} 之一。")
    if not visitor.strip():
        raise CareError("请写上是谁去的。")
    person = session.get(Retiree, retiree_id)
    if person is None:
        raise CareError(f"没有编号为 {retiree_id} 的老同志。")
    if visited_on > now.astimezone(SHANGHAI).date():
        raise CareError("慰问日期不能在今天以后。")
    visit = CareVisit(retiree_id=retiree_id, kind=kind, visited_on=visited_on, visitor=visitor.strip(),
                      notes=(notes or "").strip() or None, created_at=now)
    session.add(visit)
    session.flush()
    audit.record(session, actor=actor, action="care.visit", at=now, target=f"retiree:{retiree_id}",
                 kind=kind)
    return visit


def finish_task(session: Session, number: int, visitor: str, notes: str | None, *, actor: str,
                now: datetime) -> CareTask:
    """A 上门祝寿 task done: closed, and the visit it was recorded (as a 生日 visit, today, by
    visitor). Audit-logged."""
    task = session.get(CareTask, number)
    if task is None or task.done_at is not None:
        raise CareError(f"没有待办的任务 {number}。")
    task.done_at = now
    today = now.astimezone(SHANGHAI).date()
    add_visit(session, task.retiree_id, "生日", today, visitor, notes or task.detail, actor=actor, now=now)
    return task


def summarise(session: Session, year: int) -> YearSummary:
    """The year's visits, and the living who live alone, are in poor health or in hardship
    but have had no visit that year."""
    visits = session.scalars(sa.select(CareVisit).where(
        CareVisit.visited_on >= date(year, 1, 1), CareVisit.visited_on <= date(year, 12, 31))).all()
    by_retiree: dict[int, Counter[str]] = defaultdict(Counter)
    for visit in visits:
        by_retiree[visit.retiree_id][visit.kind] += 1
    overlooked = []
    for person in session.scalars(sa.select(Retiree).where(
            Retiree.living()).order_by(Retiree.id)):
        why = _why(person)
        if why and person.id not in by_retiree:
            overlooked.append((person, why))
    return YearSummary(dict(by_retiree), Counter(v.kind for v in visits), overlooked)


def _why(person: Retiree) -> str:
    reasons = [r for r, yes in (("独居", person.lives_alone), ("生活困难", person.hardship),
                                (person.health or "", person.health in NEEDS_VISIT_HEALTH)) if yes]
    return "、".join(reasons)
