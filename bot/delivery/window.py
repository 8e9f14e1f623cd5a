"""Whether a customer-service message may reach someone now: their 48-hour window and its allowance."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Channel, InboundMessage, OutboxMessage, OutboxStatus

WINDOW = timedelta(hours=48)
MARGIN = timedelta(minutes=5)  # never start a send that could land just after the window shuts


def custom_allowance(session: Session, openids: Iterable[str], now: datetime,
                     per_window: int) -> dict[str, int]:
    """How many more customer-service messages each openid may get now (0: window closed)."""
    openids = set(openids)
    opened = dict(session.execute(
        sa.select(InboundMessage.openid, sa.func.max(InboundMessage.received_at))
        .where(InboundMessage.openid.in_(openids)).group_by(InboundMessage.openid)).all())
    recent = session.execute(
        sa.select(OutboxMessage.recipient, OutboxMessage.sent_at)
        .where(OutboxMessage.recipient.in_(openids), OutboxMessage.channel == Channel.CUSTOM,
               OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at > now - WINDOW)).all()
    allowance = {}
    for openid in openids:
        start = opened.get(openid)
        if start is None or now - start >= WINDOW - MARGIN:
            allowance[openid] = 0
            continue
        used = sum(1 for who, at in recent if who == openid and at >= start)
        allowance[openid] = max(per_window - used, 0)
    return allowance
