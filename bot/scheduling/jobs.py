"""The scheduler's jobs: plain functions that only enqueue or drain, on the process's services.

APScheduler stores jobs by reference, so they take no arguments; the process binds its services
once with `bind` before the scheduler starts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import outbox
from bot.activities.notify import remind_tomorrow
from bot.db import transaction
from bot.delivery.problems import undelivered
from bot.greetings.birthday_visits import plan_birthday_visits
from bot.greetings.morning import send_greetings
from bot.services import Services
from bot.staff_alerts import alert_staff
from bot.study import pushes
from bot.tickets import overdue_since, unanswered

log = logging.getLogger(__name__)
_services: Services | None = None


def bind(services: Services) -> None:
    """The services every job runs with (one set per scheduler process)."""
    global _services
    _services = services


def services() -> Services:
    """The bound services."""
    if _services is None:
        raise RuntimeError("scheduler jobs need bind(services) first")
    return _services


def drain_outbox() -> None:
    """Send what is due in the outbox."""
    sent = outbox.drain(services(), limit=500)
    if sent:
        log.info("drain_outbox: sent %s", sent)


def remind_overdue_tickets() -> None:
    """Tell staff, once a day, which 留言 wait longer than the configured time."""
    s = services()
    now = s.clock.now()
    hours = s.settings.staff.ticket_overdue_hours
    with transaction(s.sessions) as session:
        overdue = unanswered(session, overdue_since(now, hours))
        if overdue:
            numbers = "、".join(str(t.id) for t in overdue[:20])
            alert_staff(session, s.settings, now, key=f"tickets-overdue:{now:%Y%m%d}",
                        text=f"【留言待回复】超过 {hours} 小时未回复的留言 {len(overdue)} 条，"
                             f"编号 {numbers}。请尽快回复。")
    log.info("remind_overdue_tickets: %s overdue", len(overdue))


def report_undelivered() -> None:
    """Tell staff, once a day, of the messages that did not get through since yesterday."""
    s = services()
    now = s.clock.now()
    with transaction(s.sessions) as session:
        problems = undelivered(session, since=now - timedelta(days=1))
        if problems:
            alert_staff(session, s.settings, now, key=f"undelivered:{now:%Y%m%d}",
                        text=f"【消息未送达】昨天以来有 {len(problems)} 条消息没有送到老同志手里，"
                             "请查看未送达清单，并电话联系。")
    log.info("report_undelivered: %s", len(problems))


def study_check_material() -> None:
    """Days ahead of the study day: alert staff if the month's material is missing."""
    pushes.check_material(services())


def study_eve() -> None:
    """The day before the study day: 「明天是集中学习日」."""
    pushes.send_eve(services())


def study_day() -> None:
    """The study day: the month's summary and reading link."""
    pushes.send_day(services())


def study_reminder() -> None:
    """Some days after: one reminder to those who have not read it."""
    pushes.send_reminder(services())


def activity_reminders() -> None:
    """The day before an activity: remind everyone with a place (time, meeting point)."""
    s = services()
    with transaction(s.sessions) as session:
        told = remind_tomorrow(session, s.texts, s.clock.now())
    log.info("activity_reminders: %s", told)


def morning_greetings() -> None:
    """Birthdays and festivals: at most one greeting per person today."""
    log.info("morning_greetings: %s", send_greetings(services()))


def birthday_visits() -> None:
    """Milestone birthdays some days ahead: a 上门祝寿 task for staff."""
    log.info("birthday_visits: %s new", plan_birthday_visits(services()))
