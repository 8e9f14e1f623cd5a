"""Mass sends: one message to a whole group in one call, within each person's 4 a month.

Rows queued with a batch (`bot.delivery.queue.deliver(..., mass=True)`) wait for this path. A
sender claims a batch's due rows under one clientmsgid. Whoever should not get it at all is
skipped; whoever has had this month's mass messages already leaves the batch for the ordinary
channels; the rest go in one call — `mass/sendall` by the group's tag when the tag holds exactly
them, else `mass/send` by their openids (the same quota). A sender that dies during the call
leaves the rows `sending`; after the lease they are sent again under the same clientmsgid,
which WeChat answers with 45065 if it has the first already. So a mass send, unlike a single
message, is never left uncertain, and nobody gets it twice.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot.clock import SHANGHAI
from bot.db.engine import transaction
from bot.delivery.attempt import (
    MAX_ATTEMPTS,
    RATE_LIMITED,
    RATE_LIMITED_BACKOFF,
    UNCLEAR_ERRCODES,
    retry_delay,
)
from bot.delivery.book import DeliveryBook
from bot.logs import describe_error
from bot.models import Channel, OutboxMessage, OutboxStatus
from bot.services import Services
from bot.wechat_api.store import lock_if_free

log = logging.getLogger("bot.delivery.outbox")

MIN_OPENIDS = 2         # mass/send takes 2 to 10,000 openids
MAX_OPENIDS = 10_000
ALREADY_SENT = 45065    # a mass send with this clientmsgid exists: WeChat has it
MASS_LOCK = "outbox-mass-sends"
_RETURNED = (OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.payload, OutboxMessage.kind,
             OutboxMessage.retiree_id, OutboxMessage.attempts)


@dataclass(frozen=True)
class MassJob:
    """The rows of one batch claimed for one mass call, and its clientmsgid."""

    batch: str
    clientmsgid: str
    rows: list[sa.Row]


def send_batches(services: Services) -> int:
    """Send every batch that is due by mass send; how many people WeChat accepted.

    One sender at a time: a person's four a month are counted and spent under one lock, so two
    senders never both give someone their last one. A sender that finds the lock taken leaves
    the batches to the sender that holds it.
    """
    sent = 0
    while _batch_due(services):
        with lock_if_free(services.store, MASS_LOCK, ttl=services.settings.delivery.send_lease) as mine:
            if not mine or (job := _claim(services)) is None:
                break
            sent += _send(services, job)
    return sent


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.batch.is_not(None),
                   OutboxMessage.attempts < MAX_ATTEMPTS, OutboxMessage.due_at <= now)


def _batch_due(services: Services) -> bool:
    """Whether any batch is waiting (a plain read: no lock is taken when there is none)."""
    waiting = sa.select(OutboxMessage.id).where(_due(services.clock.now())).limit(1)
    with services.sessions() as session:
        return session.scalar(waiting) is not None


def mass_received(session: Session, openids: set[str], now: datetime) -> Counter[str]:
    """How many mass messages each openid has had from us this calendar month (China time)."""
    local = now.astimezone(SHANGHAI)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Counter(session.scalars(sa.select(OutboxMessage.recipient).where(
        OutboxMessage.recipient.in_(openids), OutboxMessage.channel == Channel.MASS,
        OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at >= month_start)))


def _claim(services: Services) -> MassJob | None:
    """Take the due rows of one batch (those already tried keep their clientmsgid)."""
    now = services.clock.now()
    due = _due(now)
    with transaction(services.sessions) as session:
        first = session.execute(sa.select(OutboxMessage.batch, OutboxMessage.mass_id).where(due)
                                .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(1)
                                .with_for_update(skip_locked=True)).first()
        if first is None:
            return None
        same_job = (OutboxMessage.mass_id == first.mass_id if first.mass_id
                    else OutboxMessage.mass_id.is_(None))
        ids = (sa.select(OutboxMessage.id).where(due, OutboxMessage.batch == first.batch, same_job)
               .order_by(OutboxMessage.id).limit(MAX_OPENIDS).with_for_update(skip_locked=True))
        clientmsgid = first.mass_id or uuid.uuid4().hex
        lease = now + timedelta(seconds=services.settings.delivery.send_lease)
        rows = session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids.scalar_subquery()))
                               .values(status=OutboxStatus.SENDING, channel=Channel.MASS,
                                       mass_id=clientmsgid, due_at=lease,
                                       attempts=OutboxMessage.attempts + 1)
                               .returning(*_RETURNED)).all()
    return MassJob(first.batch, clientmsgid, sorted(rows, key=lambda r: r.id))


def _send(services: Services, job: MassJob) -> int:
    """One mass call for those of the job who may have it; the others leave the batch."""
    members, skipped, single = _split(services, job)
    retried = any(r.attempts > 1 for r in job.rows)
    if len(members) < MIN_OPENIDS and not retried:
        single, members = single + members, []
    _leave_batch(services, skipped, single)
    if not members:
        return 0
    if len(members) < MIN_OPENIDS:  # tried before, perhaps delivered: never risk a second copy
        _finish(services, members, OutboxStatus.UNCERTAIN,
                error="a mass send was interrupted and too few are left to ask WeChat again")
        return 0
    return _call(services, job, members)


def _split(services: Services, job: MassJob) -> tuple[list[sa.Row], list[tuple[sa.Row, str]], list[sa.Row]]:
    """Those who get the mass send, those skipped (with why), those for the ordinary channels."""
    now, per_month = services.clock.now(), services.settings.delivery.mass_per_month
    with services.sessions() as session:
        book = DeliveryBook.load(session, services.settings.delivery, job.rows, now)
        received = mass_received(session, {r.recipient for r in job.rows}, now)
    members, skipped, single = [], [], []
    for row in job.rows:
        reason = book.skip_reason(row)
        if reason:
            skipped.append((row, reason))
        elif row.recipient in book.mini or received[row.recipient] >= per_month:
            single.append(row)  # a mini-program user is no follower: mass sends are the account's
        else:
            members.append(row)
    return members, skipped, single


def _leave_batch(services: Services, skipped: list[tuple[sa.Row, str]], single: list[sa.Row]) -> None:
    """Skipped rows are cancelled; single rows go back to the ordinary sender, as if new."""
    if not skipped and not single:
        return
    now = services.clock.now()
    with transaction(services.sessions) as session:
        for row, reason in skipped:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row.id)
                            .values(status=OutboxStatus.CANCELLED, channel=None, last_error=reason))
        if single:
            session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in single]))
                            .values(status=OutboxStatus.PENDING, batch=None, mass_id=None, channel=None,
                                    attempts=0, due_at=now))


def _call(services: Services, job: MassJob, members: list[sa.Row]) -> int:
    """Call WeChat once and record what it said for every member."""
    body = _body(services, job, members)
    path = "message/mass/sendall" if "filter" in body else "message/mass/send"
    services.send_pacer.note()
    try:
        services.wechat.post(path, data=body)
    except WeChatClientException as exc:
        if exc.errcode in UNCLEAR_ERRCODES:  # not WeChat's answer: ask again under the same id
            _again_later(services, members, describe_error(exc), retry_delay(members[0].attempts))
            return 0
        if exc.errcode != ALREADY_SENT:
            return _refused(services, members, exc)
    except Exception as exc:  # network or timeout: WeChat may have it; the clientmsgid decides later
        _again_later(services, members, describe_error(exc), retry_delay(members[0].attempts))
        return 0
    _finish(services, members, OutboxStatus.SENT, sent_at=services.clock.now())
    log.info("mass send %s (%s): %s people by %s", job.clientmsgid, job.batch, len(members), path)
    return len(members)


def _body(services: Services, job: MassJob, members: list[sa.Row]) -> dict[str, Any]:
    """By the group's tag when it holds exactly these people, else by their openids."""
    text = members[0].payload.get("mass_text") or members[0].payload["text"]
    body: dict[str, Any] = {"msgtype": "text", "text": {"content": text}, "clientmsgid": job.clientmsgid}
    tag_id = members[0].payload.get("tag_id")
    if tag_id is not None and _tag_holds_exactly(services, tag_id, {r.recipient for r in members}):
        return body | {"filter": {"is_to_all": False, "tag_id": tag_id}}
    return body | {"touser": [r.recipient for r in members]}


def _tag_holds_exactly(services: Services, tag_id: int, openids: set[str]) -> bool:
    try:
        return set(services.wechat.tag.iter_tag_users(tag_id)) == openids
    except Exception as exc:  # an unknown tag or a failed look-up: the openid list still works
        log.info("tag %s not used for a mass send: %s", tag_id, describe_error(exc))
        return False


def _refused(services: Services, members: list[sa.Row], exc: WeChatClientException) -> int:
    """WeChat said no: slow down and try again, or give the rows to the ordinary channels."""
    if exc.errcode in RATE_LIMITED:
        _again_later(services, members, describe_error(exc), RATE_LIMITED_BACKOFF)
    else:
        log.warning("mass send refused (%s); sending one by one instead", describe_error(exc))
        _leave_batch(services, [], members)
    return 0


def _again_later(services: Services, members: list[sa.Row], error: str, delay: float) -> None:
    """Back to pending with the same clientmsgid, so a second call cannot deliver twice."""
    if members[0].attempts >= MAX_ATTEMPTS:
        _finish(services, members, OutboxStatus.UNCERTAIN, error=f"mass send never confirmed: {error}")
        return
    with transaction(services.sessions) as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in members]))
                        .values(status=OutboxStatus.PENDING, last_error=error,
                                due_at=services.clock.now() + timedelta(seconds=delay)))


def _finish(services: Services, members: list[sa.Row], status: OutboxStatus, *,
            error: str | None = None, sent_at: datetime | None = None) -> None:
    with transaction(services.sessions) as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in members]))
                        .values(status=status, last_error=error, sent_at=sent_at))
