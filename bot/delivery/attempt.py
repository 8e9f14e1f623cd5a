"""Sending claimed rows a chunk at a time: take them, call WeChat for each in parallel, record.

A chunk is as large as the sends a sender keeps in flight. Its rows are marked `sending` in a
commit before any call (so a sender killed mid-chunk leaves at most those uncertain, never sent
twice); that same commit records the results of the chunk before.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import requests
import sqlalchemy as sa
from wechatpy.exceptions import WeChatClientException

from bot.accounts.grants import give_back, spend_grant, withdraw_grants
from bot.db.engine import UTCDateTime, transaction
from bot.delivery.book import DeliveryBook
from bot.delivery.channels import custom_payload, subscribe_payload, template_payload
from bot.delivery.templates import spec_of
from bot.logs import describe_error, mask
from bot.models import Channel, OutboxMessage, OutboxStatus
from bot.services import Services
from bot.wechat_api.client import unreachable_as_refusal

log = logging.getLogger("bot.delivery.outbox")

MAX_ATTEMPTS = 6
BASE_BACKOFF = 5.0  # seconds; doubled each attempt, with jitter
RATE_LIMITED_BACKOFF = 60.0  # 45009/45011: WeChat asks us to slow down
# Window closed, allowance used, a template id WeChat does not know, no subscribe grant (43101),
# a field WeChat refuses (47003): try the next channel now.
NO_GRANT = 43101  # "user refuse to accept the msg": the person holds no grant for the template
NEXT_CHANNEL = (45015, 45047, 40037, NO_GRANT, 47003)
SUBSCRIBE_SEND = "cgi-bin/message/subscribe/send"  # the mini-program's
# The account's 订阅通知: https://developers.weixin.qq.com/doc/service/api/notify/notify/api_sendnewsubscribemsg.html
BIZSEND = "message/subscribe/bizsend"
RATE_LIMITED = (45009, 45011)
UNCLEAR_ERRCODES = (None, -1)  # wechatpy's HTTP errors, and WeChat's own "system busy"
Plan = tuple[sa.Row, list[Channel]]  # a row and the channels to try, best first


@dataclass(frozen=True)
class Outcome:
    """What became of one row: its new status, the channel used, and when to try again."""

    row_id: int
    status: OutboxStatus
    channel: Channel | None = None
    # Set for rows settled without a call: written only if the row is still ours (this claim).
    claimed_attempts: int | None = None
    error: str | None = None
    sent_at: datetime | None = None
    due_at: datetime | None = None
    msgid: str | None = None  # WeChat's id for a template message it took


def send_claimed(services: Services, claimed: list[sa.Row], book: DeliveryBook) -> int:
    """Deliver claimed rows a chunk at a time; how many WeChat accepted.

    One commit per chunk: it records what became of the previous chunk and marks this one
    sending, so at most one chunk is ever in flight and unrecorded.
    """
    size = services.settings.delivery.parallel
    outcomes: list[Outcome] = []
    sent = 0
    for start in range(0, len(claimed), size):
        settled, plans = _plan(book, claimed[start:start + size])
        taken = _commit(services, outcomes + settled, plans)
        # WeChat answers in tens of milliseconds: keep a few sends in flight.
        done = services.send_pool.map(partial(_attempt_each, services, book), _per_recipient(taken))
        outcomes = [outcome for in_order in done for outcome in in_order]
        sent += sum(o.status == OutboxStatus.SENT for o in outcomes)
    _commit(services, outcomes, [])
    return sent


def _plan(book: DeliveryBook, chunk: list[sa.Row]) -> tuple[list[Outcome], list[Plan]]:
    """Rows settled without a call (skipped, straight to the mailbox), and the rows to send."""
    settled: list[Outcome] = []
    plans: list[Plan] = []
    for row in chunk:
        skip = book.skip_reason(row)
        channels = [] if skip else list(book.channels(row))
        if skip:
            settled.append(Outcome(row.id, OutboxStatus.CANCELLED, error=skip, claimed_attempts=row.attempts))
        elif channels[0] == Channel.MAILBOX:
            settled.append(Outcome(row.id, OutboxStatus.MAILBOX, Channel.MAILBOX,
                                   claimed_attempts=row.attempts))
        else:
            plans.append((row, channels))
    return settled, plans


def _commit(services: Services, outcomes: list[Outcome], plans: list[Plan]) -> list[Plan]:
    """In one commit: record the outcomes, and mark the planned rows sending where still ours."""
    if not outcomes and not plans:
        return []
    with transaction(services.sessions) as session:
        conn = session.connection()
        for statement, group in ((_RECORD, [o for o in outcomes if o.claimed_attempts is None]),
                                 (_SETTLE, [o for o in outcomes if o.claimed_attempts is not None])):
            if group:
                conn.execute(statement, [{"row_id": o.row_id, "new_status": o.status, "error": o.error,
                                          "used": o.channel, "sent": o.sent_at, "due": o.due_at,
                                          "msgid": o.msgid, "claimed": o.claimed_attempts}
                                         for o in group])
        if not plans:
            return []
        lease = services.clock.now() + timedelta(seconds=services.settings.delivery.send_lease)
        taken: set[int] = set()
        for first, ours in _by_first_channel(plans).items():
            taken.update(conn.execute(_TAKE, {"ours": ours, "lease": lease, "trying": first}).scalars())
    return [(row, channels) for row, channels in plans if row.id in taken]


def _by_first_channel(plans: list[Plan]) -> dict[Channel, list[tuple[int, int]]]:
    """(id, attempts) of the planned rows by the channel each is tried on first."""
    groups: dict[Channel, list[tuple[int, int]]] = {}
    for row, channels in plans:
        groups.setdefault(channels[0], []).append((row.id, row.attempts))
    return groups


_TABLE = OutboxMessage.__table__
# Built once: the sender runs these for every message. A row is still ours if nobody claimed it
# again since (attempts unchanged) and it is still pending. Its channel says what it is tried on
# first, so a row left mid-call is known to be a template message, which a report can settle.
_TAKE = (sa.update(_TABLE)
         .where(sa.tuple_(_TABLE.c.id, _TABLE.c.attempts).in_(sa.bindparam("ours", expanding=True)),
                _TABLE.c.status == OutboxStatus.PENDING)
         .values(status=OutboxStatus.SENDING, due_at=sa.bindparam("lease", type_=UTCDateTime),
                 channel=sa.bindparam("trying", type_=sa.String))
         .returning(_TABLE.c.id))
_RESULT = dict(status=sa.bindparam("new_status"), last_error=sa.bindparam("error"),
               channel=sa.func.coalesce(sa.bindparam("used", type_=sa.String), _TABLE.c.channel),
               sent_at=sa.func.coalesce(sa.bindparam("sent", type_=UTCDateTime), _TABLE.c.sent_at),
               due_at=sa.func.coalesce(sa.bindparam("due", type_=UTCDateTime), _TABLE.c.due_at),
               msgid=sa.func.coalesce(sa.bindparam("msgid", type_=sa.String), _TABLE.c.msgid))
# A row we marked sending is ours until we record it.
_RECORD = sa.update(_TABLE).where(_TABLE.c.id == sa.bindparam("row_id")).values(**_RESULT)
# A row settled without a call is written only if nobody claimed it again meanwhile.
_SETTLE = (sa.update(_TABLE).where(_TABLE.c.id == sa.bindparam("row_id"),
                                   _TABLE.c.attempts == sa.bindparam("claimed"),
                                   _TABLE.c.status == OutboxStatus.PENDING).values(**_RESULT))


def _per_recipient(plans: list[Plan]) -> list[list[Plan]]:
    """The plans grouped by recipient, each group in claim order."""
    groups: dict[str, list[Plan]] = {}
    for plan in plans:
        groups.setdefault(plan[0].recipient, []).append(plan)
    return list(groups.values())


def _attempt_each(services: Services, book: DeliveryBook, plans: list[Plan]) -> list[Outcome]:
    """One person's messages one after another, so they arrive in the order they were queued."""
    return [_attempt(services, book, row, channels) for row, channels in plans]


def _attempt(services: Services, book: DeliveryBook, row: sa.Row, channels: list[Channel]) -> Outcome:
    """Try the channels in order until WeChat takes the message, or says to try again later."""
    for channel in channels:
        if channel == Channel.MAILBOX:
            return Outcome(row.id, OutboxStatus.MAILBOX, channel)
        services.send_pacer.note()
        try:
            msgid = _call(services, row, channel)
        except WeChatClientException as exc:
            if exc.errcode in NEXT_CHANNEL:
                log.info("outbox %s: %s refused (%s); trying the next channel", row.id, channel, exc.errcode)
                if channel == Channel.CUSTOM:
                    book.window_shut(row.recipient)
                continue
            if exc.errcode in UNCLEAR_ERRCODES:  # an HTTP error, not WeChat's answer: it may have it
                return _uncertain(row, channel, describe_error(exc))
            return _retry(services, row, describe_error(exc),
                          RATE_LIMITED_BACKOFF if exc.errcode in RATE_LIMITED else None)
        except requests.ReadTimeout as exc:  # sent, but no answer: WeChat may have it
            return _uncertain(row, channel, describe_error(exc))
        except Exception as exc:  # not sent (no connection), or a bad row: try again later
            return _retry(services, row, describe_error(exc), None)
        return Outcome(row.id, OutboxStatus.SENT, channel, sent_at=services.clock.now(), msgid=msgid)
    raise AssertionError("channels always end with the mailbox")


def _call(services: Services, row: sa.Row, channel: Channel) -> str | None:
    """Send row by channel; WeChat's msgid for a template message."""
    if channel == Channel.CUSTOM:
        services.wechat.post("message/custom/send", data=custom_payload(row.recipient, row.payload))
        return None
    if channel in (Channel.SUBSCRIBE, Channel.BIZSEND):
        _send_granted(services, row, channel)
        return None
    template = services.settings.delivery.templates[row.kind]
    settings = services.settings
    answer = services.wechat.post("message/template/send", data=template_payload(
        row.recipient, template, row.payload, row.kind, services.clock.now(),
        mini_appid=settings.miniprogram.appid, office_url=settings.public_url))
    return str(answer["msgid"]) if answer.get("msgid") is not None else None


def _send_granted(services: Services, row: sa.Row, channel: Channel) -> None:
    """Spend one of the person's grants, then send the subscription message (the account's
    订阅通知 or the mini-program's subscribe message): a grant spent and the message lost to a
    crash is a message not sent twice (it waits as uncertain, like any other). A grant WeChat
    says the person no longer gave (43101) ends, long-term ones too; one refused outright for
    another reason was not used, and is given back."""
    delivery, now = services.settings.delivery, services.clock.now()
    templates = delivery.mini_templates if channel == Channel.SUBSCRIBE else delivery.subscribe_templates
    template = templates[row.kind]
    template_id = spec_of(template).id
    with transaction(services.sessions) as session:
        grant = spend_grant(session, row.recipient, template_id, now)
    if grant is None:  # another sender spent the last one since the book was loaded
        raise WeChatClientException(errcode=NO_GRANT, errmsg="no subscribe grant left")
    payload = subscribe_payload(row.recipient, template, row.payload, row.kind, now)
    try:
        if channel == Channel.BIZSEND:
            services.wechat.post(BIZSEND, data=payload)
        else:
            with unreachable_as_refusal():
                services.mini_program.call(SUBSCRIBE_SEND, payload)
    except WeChatClientException as exc:
        if exc.errcode not in UNCLEAR_ERRCODES:  # WeChat's clear no: the grant was not used
            with transaction(services.sessions) as session:
                if exc.errcode == NO_GRANT:
                    withdraw_grants(session, row.recipient, [template_id], now)
                else:
                    give_back(session, grant)
        raise


def _uncertain(row: sa.Row, channel: Channel, error: str) -> Outcome:
    """WeChat may or may not have it: not sent again unless its reports show it never came."""
    log.error("outbox %s to %s uncertain, not resent: %s", row.id, mask(row.recipient), error)
    return Outcome(row.id, OutboxStatus.UNCERTAIN, channel, error=f"no clear answer from WeChat: {error}")


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after `attempts` tries: exponential, with jitter."""
    return BASE_BACKOFF * 2 ** (attempts - 1) * random.uniform(0.8, 1.2)


def _retry(services: Services, row: sa.Row, error: str, delay: float | None) -> Outcome:
    """Back to pending with exponential backoff and jitter; dead after the last attempt."""
    if row.attempts >= MAX_ATTEMPTS:
        log.error("outbox %s to %s is dead: %s", row.id, mask(row.recipient), error)
        return Outcome(row.id, OutboxStatus.DEAD, error=error)
    delay = delay or retry_delay(row.attempts)
    log.warning("outbox %s to %s failed (attempt %s), retry in %.0fs: %s", row.id,
                mask(row.recipient), row.attempts, delay, error)
    return Outcome(row.id, OutboxStatus.PENDING, error=error,
                   due_at=services.clock.now() + timedelta(seconds=delay))
