"""The outbox: every message the bot sends on its own, queued once and delivered once.

`enqueue` adds a row; its unique dedupe key makes a second enqueue a no-op. `drain` claims due
rows in batches (PostgreSQL: FOR UPDATE SKIP LOCKED, so several senders share the work; SQLite:
one sender), chooses each row's channel by WeChat's rules at the moment of sending (see
bot.delivery), and records the result. A row is marked `sending` in its own commit just before
WeChat is called: if the sender dies during that call nobody can know whether WeChat has it, so
the row becomes `uncertain` — never sent again, so never twice, and listed for staff.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot.db import UTCDateTime, transaction, upsert
from bot.delivery.book import DeliveryBook
from bot.delivery.channels import custom_payload, template_payload
from bot.logs import describe_error, mask
from bot.models import Channel, OutboxMessage, OutboxStatus
from bot.services import Services

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF = 5.0  # seconds; doubled each attempt, with jitter
RATE_LIMITED_BACKOFF = 60.0  # 45009/45011: WeChat asks us to slow down
# Window closed, allowance used, or a template id WeChat does not know: try the next channel now.
NEXT_CHANNEL = (45015, 45047, 40037)
RATE_LIMITED = (45009, 45011)
_TABLE = OutboxMessage.__table__


def enqueue(session: Session, *, recipient: str, text: str, dedupe_key: str, now: datetime,
            kind: str = "reply", title: str | None = None, retiree_id: int | None = None,
            notice_id: int | None = None, due_at: datetime | None = None) -> bool:
    """Add one message for one recipient; a second enqueue with the same key is a no-op.

    True when this call added it.
    """
    row = new_row(recipient=recipient, text=text, dedupe_key=dedupe_key, now=now, kind=kind,
                  title=title, retiree_id=retiree_id, notice_id=notice_id, due_at=due_at)
    conn = session.connection()
    statement = upsert(_TABLE, conn.dialect.name, "dedupe_key", ()).returning(_TABLE.c.id)
    return conn.execute(statement, row).first() is not None


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add many rows made by new_row at once; keys already queued are left as they are."""
    if rows:
        conn = session.connection()
        conn.execute(upsert(_TABLE, conn.dialect.name, "dedupe_key", ()), rows)


def new_row(*, recipient: str, text: str, dedupe_key: str, now: datetime, kind: str = "reply",
            title: str | None = None, retiree_id: int | None = None, notice_id: int | None = None,
            due_at: datetime | None = None) -> dict[str, Any]:
    """The column values of one pending message; the channel is chosen when it is sent."""
    return {"dedupe_key": dedupe_key, "recipient": recipient, "channel": None,
            "payload": {"text": text, "title": title}, "status": OutboxStatus.PENDING,
            "kind": kind, "retiree_id": retiree_id, "notice_id": notice_id, "attempts": 0,
            "last_error": None, "created_at": now, "due_at": due_at or now, "sent_at": None}


def drain(services: Services, limit: int = 100) -> int:
    """Send the messages that are due now; how many WeChat accepted."""
    _recover(services)
    claimed = _claim(services, min(limit, services.send_pacer.room()))
    if not claimed:
        return 0
    with services.sessions() as session:
        book = DeliveryBook.load(session, services.settings.delivery, claimed, services.clock.now())
    return sum(_deliver(services, row, book) for row in claimed)


_DUE = (sa.select(_TABLE.c.id)
        .where(_TABLE.c.status == OutboxStatus.PENDING, _TABLE.c.attempts < MAX_ATTEMPTS,
               _TABLE.c.due_at <= sa.bindparam("now", type_=UTCDateTime))
        .order_by(_TABLE.c.due_at, _TABLE.c.id).limit(sa.bindparam("limit"))
        .with_for_update(skip_locked=True))  # PostgreSQL: rows another sender holds are skipped
# One statement takes the due rows, so two senders never both have one. The lease hides them
# from others while they are sent; the HTTP calls happen outside any transaction.
_CLAIM = (sa.update(_TABLE).where(_TABLE.c.id.in_(_DUE.scalar_subquery()))
          .values(attempts=_TABLE.c.attempts + 1, due_at=sa.bindparam("lease", type_=UTCDateTime))
          .returning(_TABLE.c.id, _TABLE.c.recipient, _TABLE.c.payload, _TABLE.c.kind,
                     _TABLE.c.retiree_id, _TABLE.c.attempts))


def _claim(services: Services, limit: int) -> list[sa.Row]:
    if limit <= 0:
        return []
    now = services.clock.now()
    with transaction(services.sessions) as session:
        rows = session.connection().execute(_CLAIM, {
            "now": now, "limit": limit,
            "lease": now + timedelta(seconds=services.settings.delivery.claim_lease)}).all()
    return sorted(rows, key=lambda r: r.id)


def _recover(services: Services) -> None:
    """Settle rows a sender left behind when it stopped: claimed every time, or mid-call."""
    now = services.clock.now()
    with transaction(services.sessions) as session:
        uncertain = session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.due_at <= now,
        ).values(status=OutboxStatus.UNCERTAIN,
                 last_error="the sender stopped during the call: WeChat may have it; not resent"))
        if uncertain.rowcount:
            log.error("%s message(s) left uncertain by a stopped sender; not resent", uncertain.rowcount)
        session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts >= MAX_ATTEMPTS, OutboxMessage.due_at <= now,
        ).values(status=OutboxStatus.DEAD, last_error="the sender stopped during every attempt"))


def _deliver(services: Services, row: sa.Row, book: DeliveryBook) -> int:
    skip = book.skip_reason(row)
    if skip:
        _settle(services, row.id, status=OutboxStatus.CANCELLED, error=skip)
        return 0
    for channel in book.channels(row):
        if channel == Channel.MAILBOX:
            _settle(services, row.id, status=OutboxStatus.MAILBOX, channel=channel)
            return 0
        if not _take(services, row, channel):
            return 0  # our claim lapsed and another sender has the row now
        services.send_pacer.note()
        try:
            _call(services, row, channel)
        except WeChatClientException as exc:
            if exc.errcode in NEXT_CHANNEL:
                log.info("outbox %s: %s refused (%s); trying the next channel", row.id, channel,
                         exc.errcode)
                book.spent(row.recipient, channel, all_of_it=True)
                continue
            delay = RATE_LIMITED_BACKOFF if exc.errcode in RATE_LIMITED else None
            _retry(services, row, describe_error(exc), delay=delay)
            return 0
        except Exception as exc:  # network, timeout, a bad row: this message's, and we go on
            _retry(services, row, describe_error(exc))
            return 0
        book.spent(row.recipient, channel)
        _settle(services, row.id, status=OutboxStatus.SENT, channel=channel, sent=True)
        return 1
    return 0  # channels() always ends with the mailbox


def _take(services: Services, row: sa.Row, channel: Channel) -> bool:
    """Mark the row sending, in its own commit, if it is still ours (same claim, not reclaimed)."""
    with transaction(services.sessions) as session:
        taken = session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.id == row.id, OutboxMessage.attempts == row.attempts,
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
        ).values(status=OutboxStatus.SENDING, channel=channel,
                 due_at=services.clock.now() + timedelta(seconds=services.settings.delivery.send_lease)))
    return taken.rowcount == 1


def _call(services: Services, row: sa.Row, channel: Channel) -> None:
    if channel == Channel.CUSTOM:
        services.wechat.post("message/custom/send", data=custom_payload(row.recipient, row.payload))
        return
    template_id = services.settings.delivery.templates[row.kind]
    services.wechat.post("message/template/send", data=template_payload(
        row.recipient, template_id, row.payload, services.clock.now()))


def _settle(services: Services, message_id: int, *, status: OutboxStatus,
            channel: Channel | None = None, error: str | None = None, sent: bool = False) -> None:
    values: dict[str, Any] = {"status": status, "last_error": error}
    if channel is not None:
        values["channel"] = channel
    if sent:
        values["sent_at"] = services.clock.now()
    with transaction(services.sessions) as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


def _retry(services: Services, row: sa.Row, error: str, delay: float | None = None) -> None:
    """Back to pending with exponential backoff and jitter; dead after the last attempt."""
    now = services.clock.now()
    if row.attempts >= MAX_ATTEMPTS:
        _settle(services, row.id, status=OutboxStatus.DEAD, error=error)
        log.error("outbox %s to %s is dead: %s", row.id, mask(row.recipient), error)
        return
    delay = delay or BASE_BACKOFF * 2 ** (row.attempts - 1) * random.uniform(0.8, 1.2)
    with transaction(services.sessions) as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row.id).values(
            status=OutboxStatus.PENDING, last_error=error, due_at=now + timedelta(seconds=delay)))
    log.warning("outbox %s to %s failed (attempt %s), retry in %.0fs: %s", row.id,
                mask(row.recipient), row.attempts, delay, error)
