"""WeChat's delivery reports for template messages, and the uncertain messages they settle.

For every template message it takes, WeChat later posts a TEMPLATESENDJOBFINISH event to the
account's server URL: its msgid, the person, and whether it reached them. The sender records
each message's msgid as WeChat answers. A sender that dies mid-call never hears the answer, so
that message is uncertain; the reports tell what became of it:

- a report whose msgid no message carries, for the same person, after the message was taken:
  WeChat had it (settled as sent, or dead if WeChat could not deliver it);
- no such report `report_wait` seconds later, while reports for our other messages were being
  received and kept in the time its own would have come (so the gateway and the database were
  taking them then): WeChat never had it, so it goes again — once, as it never arrived.

Without reports (the server URL does not get them, or they could not be kept then), nothing is
settled: uncertain messages stay for staff, as before. So do two uncertain messages for one
person, as a report could not tell which of them it is for.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.engine import transaction, upsert
from bot.delivery.attempt import MAX_ATTEMPTS
from bot.logs import mask
from bot.models import Channel, DeliveryReport, OutboxMessage, OutboxStatus
from bot.services import Services

log = logging.getLogger("bot.delivery.outbox")

DELIVERED = "success"
LOOK_BACK = timedelta(days=1)  # uncertain messages older than this are left to staff
SENT_AGAIN = "WeChat's reports show it never had it (the sender stopped mid-call): sent again"

_REPORTS = DeliveryReport.__table__
_NO_FLUSH_WAIT = sa.text("SET LOCAL synchronous_commit TO OFF")


def record_report(engine: sa.Engine, *, msgid: str, openid: str, status: str, at: datetime) -> None:
    """Keep one report, in its own commit; WeChat's retries of it change nothing.

    One comes in for every template message, as fast as they go out, so this is kept cheap:
    a bare connection, and on PostgreSQL the commit does not wait for the disk. A report lost
    to a database crash in that instant can only leave its message uncertain, or (if it was
    for one whose sender had also died) send that one again.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(_NO_FLUSH_WAIT)
        conn.execute(upsert(_REPORTS, conn.dialect.name, "msgid", ()), {
            "msgid": msgid[:64], "openid": openid[:64], "status": status[:64], "received_at": at})


def settle_uncertain(services: Services) -> int:
    """Settle the uncertain template messages the reports account for; how many were settled."""
    settings = services.settings.delivery
    now = services.clock.now()
    lease, wait = timedelta(seconds=settings.send_lease), timedelta(seconds=settings.report_wait)
    settled = 0
    with transaction(services.sessions) as session:
        session.execute(sa.delete(DeliveryReport).where(DeliveryReport.received_at < now - LOOK_BACK - wait))
        for message in _uncertain_templates(session, now):
            taken = message.due_at - lease  # the sender set due_at to taken + lease
            report = _unclaimed_report(session, message, taken, taken + lease + wait)
            if report is not None and report.received_at <= now - lease:
                _confirm(message, report)
            elif report is None and now >= taken + wait and _reports_kept(session, taken, taken + lease):
                _send_again(message, now)
            else:
                continue
            settled += 1
    return settled


def _uncertain_templates(session: Session, now: datetime) -> list[OutboxMessage]:
    """Uncertain template messages of the last day, one per person (two would be ambiguous).

    Locked, so that two senders never settle the same message; one holding them is skipped.
    """
    found = list(session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.UNCERTAIN, OutboxMessage.due_at > now - LOOK_BACK,
               OutboxMessage.channel == Channel.TEMPLATE, OutboxMessage.msgid.is_(None))
        .order_by(OutboxMessage.due_at, OutboxMessage.id).with_for_update(skip_locked=True)))
    per_person = Counter(message.recipient for message in found)
    return [message for message in found if per_person[message.recipient] == 1]


def _unclaimed_report(session: Session, message: OutboxMessage, taken: datetime,
                      until: datetime) -> DeliveryReport | None:
    """The first report for this person between taken and until that no message accounts for.

    It settles the message once older than a send's lease: by then every message WeChat
    answered has its msgid recorded, so an unclaimed report is for one whose sender never
    heard the answer. (A template message sent to them by some other system on the same
    account, in that same window, would be taken for it: the account should send through us.)
    """
    claimed = sa.select(OutboxMessage.id).where(OutboxMessage.msgid == DeliveryReport.msgid)
    return session.scalars(
        sa.select(DeliveryReport)
        .where(DeliveryReport.openid == message.recipient, DeliveryReport.received_at >= taken,
               DeliveryReport.received_at <= until, ~claimed.exists())
        .order_by(DeliveryReport.received_at, DeliveryReport.id).limit(1)).first()


def _reports_kept(session: Session, start: datetime, end: datetime) -> bool:
    """Whether reports for our messages were received and kept between start and end."""
    kept = (sa.select(DeliveryReport.id)
            .join(OutboxMessage, OutboxMessage.msgid == DeliveryReport.msgid)
            .where(DeliveryReport.received_at >= start, DeliveryReport.received_at <= end).limit(1))
    return session.scalars(kept).first() is not None


def _confirm(message: OutboxMessage, report: DeliveryReport) -> None:
    message.msgid = report.msgid
    if report.status == DELIVERED:
        message.status, message.sent_at = OutboxStatus.SENT, report.received_at
        message.last_error = "WeChat's report shows it arrived (the sender stopped mid-call)"
        log.info("outbox %s to %s: WeChat's report settles it as sent", message.id,
                 mask(message.recipient))
        return
    message.status = OutboxStatus.DEAD
    message.last_error = f"WeChat could not deliver it: {report.status}"
    log.error("outbox %s to %s is dead: WeChat reports %s", message.id, mask(message.recipient),
              report.status)


def _send_again(message: OutboxMessage, now: datetime) -> None:
    message.status, message.due_at, message.last_error = OutboxStatus.PENDING, now, SENT_AGAIN
    message.attempts = min(message.attempts, MAX_ATTEMPTS - 1)  # one more try, whatever it cost before
    log.warning("outbox %s to %s: no report from WeChat, sent again", message.id, mask(message.recipient))
