"""Alerts to the staff openids in config.toml [staff], queued in the outbox with the message."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery import outbox

log = logging.getLogger(__name__)


def unreachable_warning(settings: Settings) -> str | None:
    """A sentence for start-up and `content check` when staff alerts can only wait: staff rarely
    write to the account, so their 48-hour window for customer-service messages is mostly shut,
    and without a template for staff alerts (`[delivery.templates] staff`) an urgent report
    waits in their mailbox until they happen to write."""
    if not settings.staff.openids:
        return "没有配置工作人员（[staff] openids）：重要情况、留言的提醒发不出去。"
    if "staff" not in settings.delivery.templates:
        return ("没有给工作人员提醒配置模板消息（[delivery.templates] staff）：工作人员 48 小时内没给公众号"
                "发过消息时，重要情况提醒只能等他们下次发消息才看到。")
    return None


def alert_staff(session: Session, settings: Settings, now: datetime, text: str, key: str) -> int:
    """Queue text to every staff member, once per key; how many staff it goes to."""
    if not settings.staff.openids:
        log.warning("staff alert %s not sent: no [staff] openids configured", key)
    for staff in settings.staff.openids:
        outbox.enqueue(session, recipient=staff, now=now, dedupe_key=f"{key}:{staff}", text=text,
                       kind="staff")
    return len(settings.staff.openids)
