"""The outbox: every message the bot sends on its own, queued once and delivered once.

`enqueue` adds a row; its unique dedupe key makes a second enqueue a no-op. `drain` claims due
rows in batches (PostgreSQL: FOR UPDATE SKIP LOCKED, so several senders share the work; SQLite:
one sender), chooses each row's channel by WeChat's rules at the moment of sending (see
bot.delivery), and records the result (bot.delivery.attempt). Rows are marked `sending` in a
commit before WeChat is called: if the sender dies during the call nobody can know whether
WeChat has them, so they become `uncertain` — never sent again, so never twice, and listed for
staff, unless WeChat's delivery reports settle them (bot.delivery.reports).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.engine import UTCDateTime, transaction, upsert
from bot.delivery.attempt import MAX_ATTEMPTS, send_claimed
from bot.delivery.book import DeliveryBook
from bot.delivery.mass import send_batches
from bot.delivery.reports import settle_uncertain
from bot.models import OutboxMessage, OutboxStatus
from bot.services import Services

log = logging.getLogger(__name__)

# The characters a message staff write may hold (a notice, a reply to a 留言): one
# customer-service message, readable on a phone (WeChat's own limit: bot.wechat_api.rules).
STAFF_TEXT_LIMIT = 600

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
    statement = upsert(_TABLE, conn.dialect.name, "dedupe_key", (), returning="id")
    return conn.execute(statement, row).first() is not None


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add many rows made by new_row at once; keys already queued are left as they are."""
    if rows:
        conn = session.connection()
        conn.execute(upsert(_TABLE, conn.dialect.name, "dedupe_key", ()), rows)


def new_row(*, recipient: str, text: str, dedupe_key: str, now: datetime, kind: str = "reply",
            title: str | None = None, retiree_id: int | None = None, notice_id: int | None = None,
            due_at: datetime | None = None, batch: str | None = None, tag_id: int | None = None,
            mass_text: str | None = None) -> dict[str, Any]:
    """The column values of one pending message; the channel is chosen when it is sent.

    A batch makes it wait for a mass send of mass_text (or text) with the rest of the batch
    (bot.delivery.mass), by the WeChat tag `tag_id` where that tag holds exactly the batch.
    """
    extra = {"tag_id": tag_id, "mass_text": mass_text}
    payload = {"text": text, "title": title} | {k: v for k, v in extra.items() if v is not None}
    return {"dedupe_key": dedupe_key, "recipient": recipient, "channel": None, "payload": payload,
            "status": OutboxStatus.PENDING, "kind": kind, "retiree_id": retiree_id,
            "notice_id": notice_id, "attempts": 0, "last_error": None, "created_at": now,
            "due_at": due_at or now, "sent_at": None, "batch": batch, "mass_id": None}


def drain(services: Services, limit: int = 100) -> int:
    """Send the messages that are due now (group batches by mass send first); how many WeChat accepted."""
    _recover(services)
    settle_uncertain(services)
    sent = send_batches(services)
    settings = services.settings.delivery
    # No more than can be sent before the claim lapses, even at one send a second per thread.
    claimed = _claim(services, min(limit, services.send_pacer.room(),
                                   int(settings.parallel * settings.claim_lease)))
    if not claimed:
        return sent
    with services.sessions() as session:
        book = DeliveryBook.load(session, services.settings.delivery, claimed, services.clock.now())
    return sent + send_claimed(services, claimed, book)


def _due(*where: sa.ColumnElement[bool]) -> sa.Select:
    return (sa.select(_TABLE.c.id)
            .where(_TABLE.c.status == OutboxStatus.PENDING, _TABLE.c.attempts < MAX_ATTEMPTS,
                   _TABLE.c.batch.is_(None), _TABLE.c.due_at <= sa.bindparam("now", type_=UTCDateTime),
                   *where)
            .order_by(_TABLE.c.due_at, _TABLE.c.id).limit(sa.bindparam("limit"))
            .with_for_update(skip_locked=True))  # PostgreSQL: rows another sender holds are skipped


def _claim_statement(due: sa.Select) -> sa.Update:
    return (sa.update(_TABLE).where(_TABLE.c.id.in_(due.scalar_subquery()))
            .values(attempts=_TABLE.c.attempts + 1, due_at=sa.bindparam("lease", type_=UTCDateTime))
            .returning(_TABLE.c.id, _TABLE.c.recipient, _TABLE.c.payload, _TABLE.c.kind,
                       _TABLE.c.retiree_id, _TABLE.c.attempts))


# One statement takes the due rows, so two senders never both have one. The lease hides them
# from others while they are sent; the HTTP calls happen outside any transaction. Staff alerts
# are claimed first (their own small index): a 病危 report must not wait behind a notice to
# every retiree.
_CLAIM_STAFF = _claim_statement(_due(_TABLE.c.kind == "staff"))
_CLAIM = _claim_statement(_due())


def _claim(services: Services, limit: int) -> list[sa.Row]:
    if limit <= 0:
        return []
    now = services.clock.now()
    values = {"now": now, "limit": limit,
              "lease": now + timedelta(seconds=services.settings.delivery.claim_lease)}
    with transaction(services.sessions) as session:
        rows = session.connection().execute(_CLAIM_STAFF, values).all()
        if len(rows) < limit:
            rows += session.connection().execute(_CLAIM, values | {"limit": limit - len(rows)}).all()
    return sorted(rows, key=lambda r: (r.kind != "staff", r.id))


def _recover(services: Services) -> None:
    """Settle rows a sender left behind when it stopped: claimed every time, or mid-call.

    A mass send interrupted mid-call is asked again under its clientmsgid, which WeChat
    recognises if it has the first; a single message cannot be asked about, so it is uncertain.
    """
    now = services.clock.now()
    stopped = sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.due_at <= now)
    with transaction(services.sessions) as session:
        mass = sa.and_(stopped, OutboxMessage.batch.is_not(None))
        session.execute(sa.update(OutboxMessage).where(mass, OutboxMessage.attempts < MAX_ATTEMPTS)
                        .values(status=OutboxStatus.PENDING))
        session.execute(sa.update(OutboxMessage).where(mass).values(
            status=OutboxStatus.UNCERTAIN, last_error="a mass send was interrupted at its last attempt"))
        uncertain = session.execute(sa.update(OutboxMessage).where(stopped).values(
            status=OutboxStatus.UNCERTAIN,
            last_error="the sender stopped during the call: WeChat may have it; not resent"))
        if uncertain.rowcount:
            log.error("%s message(s) left uncertain by a stopped sender; not resent", uncertain.rowcount)
        session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts >= MAX_ATTEMPTS, OutboxMessage.due_at <= now,
        ).values(status=OutboxStatus.DEAD, last_error="the sender stopped during every attempt"))
