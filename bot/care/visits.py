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
from bot.roster.search import in_group

KINDS = ("生日", "住院", "节日", "日常", "遗属")
MAX_VISITOR = 40  # the column's width
NEEDS_VISIT_HEALTH = POOR_HEALTH


@dataclass(frozen=True)
class YearSummary:
    """A year of visits: per retiree and type, and those with none who may need one."""

    by_retiree: dict[int, Counter[str]]
    by_kind: Counter[str]
    overlooked: list[tuple[Retiree, str]]  # the person and why they may need a visit (the first `limit`)
    overlooked_total: int = 0


def add_visit(session: Session, retiree_id: int, kind: str, visited_on: date, visitor: str,
              notes: str | None, *, actor: str, now: datetime) -> CareVisit:
    """Record one visit; audit-logged."""
    if kind not in KINDS:
        raise CareError(f"慰问类型应为 {'、'.join(KINDS)} 之一。")
    if not visitor.strip():
        raise CareError("请写上是谁去的。")
    if len(visitor.strip()) > MAX_VISITOR:
        raise CareError(f"去的人名字太长了（{MAX_VISITOR} 字以内）。")
    person = session.get(Retiree, retiree_id)
    if person is None:
        raise CareError(f"没有编号为 {retiree_id} 的老同志。")
    today = now.astimezone(SHANGHAI).date()
    if visited_on > today:
        raise CareError("慰问日期不能在今天以后。")
    if visited_on.year < today.year - 1:  # 1990 for 2025: a year typed wrong
        raise CareError(f"慰问日期 {visited_on} 太早了：年份是不是填错了？只能补记去年和今年的慰问。")
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


def summarise(session: Session, year: int, *, scope: int | None = None,
              limit: int | None = None) -> YearSummary:
    """The year's visits, and the living who live alone, are in poor health or in hardship
    but have had no visit that year: the first `limit` of them by id (all by default), within
    scope (a group; None: everyone), and how many there are."""
    year_visits = CareVisit.visited_on.between(date(year, 1, 1), date(year, 12, 31))
    by_retiree: dict[int, Counter[str]] = defaultdict(Counter)
    visits = sa.select(CareVisit.retiree_id, CareVisit.kind).where(year_visits)
    for retiree_id, kind in session.execute(visits):
        by_retiree[retiree_id][kind] += 1
    # Chosen in the database: of 20,000 people, thousands may qualify, and a page shows 200.
    where = [Retiree.living(), sa.or_(Retiree.lives_alone.is_(True), Retiree.hardship.is_(True),
                                      Retiree.health.in_(NEEDS_VISIT_HEALTH)),
             ~Retiree.id.in_(sa.select(CareVisit.retiree_id).where(year_visits))]
    where += [in_group(scope)] if scope is not None else []
    total = session.scalar(sa.select(sa.func.count()).select_from(Retiree).where(*where)) or 0
    people = session.scalars(sa.select(Retiree).where(*where).order_by(Retiree.id).limit(limit)).all()
    kinds = Counter(kind for kinds in by_retiree.values() for kind in kinds.elements())
    return YearSummary(dict(by_retiree), kinds, [(p, _why(p)) for p in people], total)


def _why(person: Retiree) -> str:
    reasons = [r for r, yes in (("独居", person.lives_alone), ("生活困难", person.hardship),
                                (person.health or "", person.health in NEEDS_VISIT_HEALTH)) if yes]
    return "、".join(reasons)
