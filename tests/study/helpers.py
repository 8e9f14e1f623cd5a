"""Helpers for the study tests: standing on a day of the study month, the messages queued."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.clock import SHANGHAI, FixedClock
from bot.models import OutboxMessage
from bot.services import Services


def stand_on(clock: FixedClock, day: int, hour: int, month: int = 12) -> None:
    """Move the test clock to that day of 2026, Beijing time."""
    target = datetime(2026, month, day, hour, tzinfo=SHANGHAI)
    clock.advance(seconds=(target - clock.now()).total_seconds())


def rows(services: Services, like: str) -> list[OutboxMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like(like))
                                    .order_by(OutboxMessage.id)))
