"""The outbox: enqueue a message once, and a sender that delivers due messages.

This is the durable core (issue 2); channel choice, groups and quotas build on it later.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db import UTCDateTime, transaction, upsert
from bot.logs import describe_error, mask
from bot.models import OutboxMessage, OutboxStatus
from bot.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF = 5.0  # seconds; doubled each attempt, with jitter
_TABLE = OutboxMessage.__table__
CLAIM_LEASE = 60  # seconds a claimed message stays hidden from other senders


def enqueue(session: Session, *, recipient: str, payload: dict[str, Any], dedupe_key: str,
            now: datetime, channel: str = "custom", due_at: datetime | None = None) -> bool:
    """Add one message for one recipient; a second enqueue with the same key is a no-op.

    True when this call added it.
    """
    conn = session.connection()
    statement = upsert(_TABLE, conn.dialect.name, "dedupe_key", ()).returning(_TABLE.c.id)
    return conn.execute(statement, {
        "dedupe_key": dedupe_key, "recipient": recipient, "channel": channel,
        "payload": payload, "status": OutboxStatus.PENDING, "attempts": 0, "last_error": None,
        "created_at": now, "due_at": due_at or now, "sent_at": None,
    }).first() is not None


def drain(services: Services, limit: int = 100) -> int:
    """Send the messages that are due; returns how many were sent."""
    _bury_stuck(services)
    sent = 0
    for message_id in _due_ids(services, limit):
        sent += _deliver(services, message_id)
    return sent


def _due_ids(services: Services, limit: int) -> list[int]:
    with services.sessions() as session:
        return list(session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING,
                   OutboxMessage.due_at <= services.clock.now())
            .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)))


def _deliver(services: Services, message_id: int) -> int:
    message = _claim(services, message_id)
    if message is None:
        return 0
    try:
        _send(services, message)
    except Exception as exc:  # any failure is this message's, recorded; the sender goes on
        _record(services, message_id, error=exc)
        return 0
    _record(services, message_id, error=None)
    return 1


# One statement takes a due message, so two senders can never both have it. The lease keeps
# it from others while it is sent; the HTTP call happens outside any transaction.
_CLAIM = (sa.update(_TABLE)
          .where(_TABLE.c.id == sa.bindparam("message_id"),
                 _TABLE.c.status == OutboxStatus.PENDING,
                 _TABLE.c.attempts < MAX_ATTEMPTS,
                 _TABLE.c.due_at <= sa.bindparam("now", type_=UTCDateTime))
          .values(attempts=_TABLE.c.attempts + 1, due_at=sa.bindparam("lease", type_=UTCDateTime))
          .returning(_TABLE.c.id, _TABLE.c.recipient, _TABLE.c.channel, _TABLE.c.payload))


def _claim(services: Services, message_id: int) -> sa.Row | None:
    now = services.clock.now()
    with transaction(services.sessions) as session:
        return session.connection().execute(_CLAIM, {
            "message_id": message_id, "now": now,
            "lease": now + timedelta(seconds=CLAIM_LEASE)}).first()


def _bury_stuck(services: Services) -> None:
    """Messages whose every attempt ended with the sender stopping (no result recorded)."""
    with transaction(services.sessions) as session:
        session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts >= MAX_ATTEMPTS,
            OutboxMessage.due_at <= services.clock.now(),
        ).values(status=OutboxStatus.DEAD, last_error="the sender stopped during every attempt"))


def _record(services: Services, message_id: int, error: Exception | None) -> None:
    with transaction(services.sessions) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None  # rows are never deleted
        now = services.clock.now()
        if error is None:
            message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, None
        else:
            _schedule_retry(message, error, now)


def _send(services: Services, message: sa.Row) -> None:
    if message.channel != "custom":
        raise ValueError(f"unknown channel {message.channel!r}")
    services.wechat.post("message/custom/send", data=message.payload)


def _schedule_retry(message: OutboxMessage, exc: Exception, now: datetime) -> None:
    message.last_error = describe_error(exc)
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.DEAD
        log.error("outbox %s to %s is dead: %s", message.id, mask(message.recipient),
                  message.last_error)
        return
    delay = BASE_BACKOFF * 2 ** (message.attempts - 1) * random.uniform(0.8, 1.2)
    message.due_at = now + timedelta(seconds=delay)
    log.warning("outbox %s to %s failed (attempt %s), retry in %.0fs: %s", message.id,
                mask(message.recipient), message.attempts, delay, message.last_error)
