"""Alerts to staff in WeChat — the openids in config.toml [staff] and every console account
linked to its WeChat and on duty — queued in the outbox with the message."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery import outbox
from bot.models import StaffAccount

log = logging.getLogger(__name__)


def unreachable_warning(settings: Settings) -> str | None:
    """A sentence for start-up and `content check` when staff alerts can only wait: staff rarely
    write to the account, so their 48-hour window for customer-service messages is mostly shut,
    and without a template or 订阅通知 for staff alerts (`[delivery.templates] staff`,
    `[delivery.subscribe_templates] staff`) an urgent report waits in their mailbox until they
    happen to write."""
    if not settings.staff.openids:
        return ("config.toml 没有填 [staff] openids：重要情况、留言的提醒只发给在控制台关联了微信的"
                "账号（python -m bot staff list 可查看），一个都没有时就发不出去。")
    if "staff" not in settings.delivery.templates and "staff" not in settings.delivery.subscribe_templates:
        return ("没有给工作人员提醒配置模板消息或订阅通知（[delivery.templates] staff 或 "
                "[delivery.subscribe_templates] staff）：工作人员 48 小时内没给公众号发过消息时，"
                "重要情况提醒只能等他们下次发消息才看到。")
    return None


# Built once: every 留言 and report asks it, and building it cost more than running it.
_LINKED_ON_DUTY = sa.select(StaffAccount.openid).where(StaffAccount.on_duty()).order_by(StaffAccount.id)


def staff_openids(session: Session, settings: Settings) -> list[str]:
    """Who gets staff alerts and may use staff commands in the chat: config.toml's [staff]
    openids, then the linked console accounts on duty (StaffAccount.on_duty)."""
    linked = session.scalars(_LINKED_ON_DUTY)
    return list(dict.fromkeys([*settings.staff.openids, *(o for o in linked if o)]))


def alert_staff(session: Session, settings: Settings, now: datetime, text: str, key: str,
                page: str = "") -> int:
    """Queue text to every staff member, once per key; how many staff it goes to. page, the
    console page where the thing is handled (/console/care/3), is added as a link: a template
    message opens it when tapped."""
    recipients = staff_openids(session, settings)
    if page:
        text = f"{text.rstrip()}\n去工作台处理：{settings.public_url.rstrip('/')}{page}"
    if not recipients:
        log.warning("staff alert %s not sent: no [staff] openids configured, no account linked", key)
    for staff in recipients:
        outbox.enqueue(session, recipient=staff, now=now, dedupe_key=f"{key}:{staff}", text=text,
                       kind="staff")
    return len(recipients)
