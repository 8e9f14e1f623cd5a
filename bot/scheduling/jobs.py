"""The scheduler's jobs: plain functions that only enqueue or drain, on the process's services.

APScheduler stores jobs by reference, so they take no arguments; the process binds its services
once with `bind` before the scheduler starts.
"""

from __future__ import annotations

import logging

from bot import outbox
from bot.db import transaction
from bot.services import Services
from bot.staff_alerts import alert_staff
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
                        text=f"【留言待回复】超过 {hours} 小时未回复的留言 {len(overdue)} 条：{numbers}。"
                             "请用 python -m bot ticket list --overdue 查看并回复。")
    log.info("remind_overdue_tickets: %s overdue", len(overdue))
