"""The scheduler's jobs: plain functions of the process's services that only enqueue or drain.

Every job takes the services as its first argument, as a handler takes its context: APScheduler
stores a job by reference (a daily job as `run_daily` with a placeholder and its name) and the
scheduler's executor (bot.scheduling.schedule) puts the services in when it runs.
`python -m bot jobs run` calls `run_daily` on services of its own, its clock on the chosen day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from wechatpy.exceptions import WeChatClientException

from bot.accounts.followers import record_unionids, without_unionid
from bot.accounts.miniprogram import remove_expired
from bot.activities.notify import remind_tomorrow
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.delivery.problems import undelivered
from bot.delivery.staff_alerts import alert_staff
from bot.greetings.birthday_visits import plan_birthday_visits
from bot.greetings.morning import send_greetings
from bot.services import Services
from bot.study import pushes
from bot.tickets.answers import overdue_since, unanswered
from bot.wechat_api.client import unionids
from bot.wechat_api.store import DatabaseStore

log = logging.getLogger(__name__)


def drain_outbox(services: Services) -> None:
    """Send what is due in the outbox."""
    sent = outbox.drain(services, limit=500)
    if sent:
        log.info("drain_outbox: sent %s", sent)


def run_daily(services: Services, name: str) -> object:
    """Run the daily job `name`; what it reports it did."""
    result = DAILY[name](services)
    log.info("%s: %s", name, result)
    return result


def _overdue_tickets(s: Services) -> int:
    """Tell staff, once a day, which 留言 wait longer than the configured time."""
    now = s.clock.now()
    hours = s.settings.staff.ticket_overdue_hours
    with transaction(s.sessions) as session:
        overdue = unanswered(session, overdue_since(now, hours))
        if overdue:
            numbers = "、".join(str(t.id) for t in overdue[:20])
            alert_staff(session, s.settings, now, key=f"tickets-overdue:{now:%Y%m%d}",
                        text=f"【留言待回复】超过 {hours} 小时未回复的留言 {len(overdue)} 条，"
                             f"编号 {numbers}。请尽快回复。", page="/console/tickets")
    return len(overdue)


def _undelivered(s: Services) -> int:
    """Tell staff, once a day, of the messages that did not get through since yesterday."""
    now = s.clock.now()
    with transaction(s.sessions) as session:
        problems = undelivered(session, since=now - timedelta(days=1))
        if problems:
            alert_staff(session, s.settings, now, key=f"undelivered:{now:%Y%m%d}",
                        text=f"【消息未送达】昨天以来有 {len(problems)} 条消息没有送到老同志手里，"
                             "请在工作台「今日」查看未送达的人，并电话联系。", page="/console/today")
    return len(problems)


def _activity_reminders(s: Services) -> int:
    """The day before an activity: remind everyone with a place (time, meeting point)."""
    with transaction(s.sessions) as session:
        return remind_tomorrow(session, s.settings, s.texts, s.clock.now())


def link_unionids(services: Services, limit: int = 1000) -> int:
    """Learn the unionid of followers not yet asked (up to `limit` a run), so a follower bound in
    the chat who opens the mini-program is bound there at once; how many had one. Only with a
    mini-program configured: without one there is nobody to link."""
    if not services.settings.miniprogram.appid:
        return 0
    with services.sessions() as session:
        asked = without_unionid(session, limit)
    if not asked:
        return 0
    try:
        found = unionids(services.wechat, asked)
    except WeChatClientException as exc:
        log.warning("link_unionids: WeChat refused user info: %s", exc.errcode)
        return 0
    with transaction(services.sessions) as session:
        record_unionids(session, asked, found)
    return len(found)


def _purge_expired(s: Services) -> int:
    """Remove what has lapsed: shared-store entries (rate counters, dedupe keys) kept in the
    database, and mini-program logins; how many rows."""
    removed = s.store.purge() if isinstance(s.store, DatabaseStore) else 0
    with transaction(s.sessions) as session:
        return removed + remove_expired(session, s.clock.now())


DAILY: dict[str, Callable[[Services], object]] = {
    "remind_overdue_tickets": _overdue_tickets,
    "report_undelivered": _undelivered,
    "activity_reminders": _activity_reminders,
    "morning_greetings": send_greetings,           # birthdays and festivals: one greeting a day
    "birthday_visits": plan_birthday_visits,       # milestone birthdays ahead: 上门祝寿 tasks
    "study_check_material": pushes.check_material,  # days ahead: alert staff if it is missing
    "study_eve": pushes.send_eve,                  # the day before: 「明天是集中学习日」
    "study_day": pushes.send_day,                  # the day: the summary and reading link
    "study_reminder": pushes.send_reminder,        # some days after: one reminder
    "purge_expired": _purge_expired,               # at night: lapsed store entries and logins
}
