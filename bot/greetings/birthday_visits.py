"""Milestone birthdays (80, 90, 100, every year from 90): a 上门祝寿 task for staff, days ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot.db.engine import dialect_insert, transaction
from bot.delivery.staff_alerts import alert_staff
from bot.greetings.calendar import birthday_in
from bot.greetings.morning import is_milestone
from bot.models import CareTask, Retiree
from bot.services import Services

KIND = "上门祝寿"


def plan_birthday_visits(services: Services) -> int:
    """Create the visit tasks for birthdays [greetings] visit_lead_days from today; how many new."""
    settings = services.settings.greetings
    now = services.clock.now()
    target = now.date() + timedelta(days=settings.visit_lead_days)
    created = 0
    with transaction(services.sessions) as session:
        for person in _living(session):
            if person.birth_precision != "day" or birthday_in(person.birth_date, person.lunar_birthday,
                                                              target.year) != target:
                continue
            age = target.year - person.birth_date.year
            if is_milestone(age, settings) and _add_task(session, person, target, f"{age} 岁生日", now):
                created += 1
                alert_staff(session, services.settings, now, key=f"care-task:{person.id}:{target}",
                            text=_alert(person, age, target), page="/console/care")
    return created


def open_tasks(session: Session) -> list[tuple[CareTask, Retiree]]:
    """Tasks not done yet, soonest first, with the retiree."""
    rows = session.execute(sa.select(CareTask, Retiree).join(Retiree, Retiree.id == CareTask.retiree_id)
                           .where(CareTask.done_at.is_(None)).order_by(CareTask.due_on))
    return [(task, person) for task, person in rows]


def describe(task: CareTask, person: Retiree) -> str:
    """One line for staff: when, what, who, address, phone, health, emergency contact."""
    contact = person.contacts[0] if person.contacts else None
    emergency = f"{contact.name}（{contact.relation or '联系人'}）{contact.phone or ''}" if contact else "无"
    return (f"{task.id}\t{task.due_on}\t{task.kind}\t{person.name} {task.detail}\t"
            f"{person.address or '无地址'}\t{person.phone or '无电话'}\t{person.health or '健康状况未填'}\t"
            f"紧急联系人：{emergency}")


def _living(session: Session) -> list[Retiree]:
    return list(session.scalars(sa.select(Retiree).where(
        Retiree.living()).options(selectinload(Retiree.contacts))))


def _add_task(session: Session, person: Retiree, due: object, detail: str, now: datetime) -> bool:
    conn = session.connection()
    table = CareTask.__table__
    statement = (dialect_insert(conn)(table)
                 .values(retiree_id=person.id, kind=KIND, due_on=due, detail=detail, created_at=now)
                 .on_conflict_do_nothing(index_elements=[table.c.retiree_id, table.c.kind, table.c.due_on])
                 .returning(table.c.id))
    return conn.execute(statement).first() is not None


def _alert(person: Retiree, age: int, due: object) -> str:
    return (f"【上门祝寿】{person.name} {due} 满 {age} 岁。地址：{person.address or '未填'}，"
            f"电话：{person.phone or '未填'}。")
