"""Alerts to the staff openids in config.toml [staff], queued in the outbox with the message."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox
from bot.config import Settings

log = logging.getLogger(__name__)


def alert_staff(session: Session, settings: Settings, now: datetime, text: str, key: str) -> int:
    """Queue text to every staff member, once per key; how many staff it goes to."""
    if not settings.staff.openids:
        log.warning("staff alert %s not sent: no [staff] openids configured", key)
    for staff in settings.staff.openids:
        outbox.enqueue(session, recipient=staff, now=now, dedupe_key=f"{key}:{staff}", text=text,
                       kind="staff")
    return len(settings.staff.openids)
