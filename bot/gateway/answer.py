"""Answer each WeChat delivery once: retries get the stored answer, never a second run."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Executor

from bot import outbox
from bot.db import transaction
from bot.dispatch import dispatch
from bot.inbound import Inbound
from bot.logs import mask
from bot.replies import SUCCESS, Reply, Text, as_custom_message, render_passive
from bot.services import Services

from .budget import run_within

log = logging.getLogger(__name__)

PENDING = "(pending)"  # never a reply body, which is `success` or <xml>…
POLL = 0.05


def answer_once(services: Services, pool: Executor, msg: Inbound) -> str:
    """The passive reply body for msg; a retry of the same delivery gets the same body."""
    store, wechat = services.store, services.settings.wechat
    key = f"reply:{msg.dedupe_key}"
    # If this worker dies mid-message the marker lapses, so WeChat's last retry runs it again.
    if not store.add(key, PENDING, ttl=2 * wechat.reply_budget + 1):
        log.info("retry of %s from %s", msg.dedupe_key, mask(msg.openid))
        return _stored_answer(services, key)
    reply = run_within(pool, wechat.reply_budget, lambda: dispatch(services, msg),
                       lambda late: _send_later(services, msg, late))
    body = SUCCESS if reply is None else render_passive(reply, openid=msg.openid,
                                                        account=msg.account)
    store.set(key, body, ttl=wechat.dedupe_ttl)
    return body


def _stored_answer(services: Services, key: str) -> str:
    """Wait (within the budget) for the first delivery's answer; `success` if it never comes."""
    deadline = time.monotonic() + services.settings.wechat.reply_budget
    while True:
        body = services.store.get(key)
        if body is not None and body != PENDING:
            return body
        if time.monotonic() > deadline:
            return SUCCESS
        time.sleep(POLL)


def _send_later(services: Services, msg: Inbound, reply: Reply) -> None:
    """The handler missed the budget: its reply goes out as a customer-service message."""
    if not isinstance(reply, Text):
        return
    log.warning("reply to %s missed the %.1fs budget; sending it through the outbox",
                msg.dedupe_key, services.settings.wechat.reply_budget)
    with transaction(services.sessions) as session:
        outbox.enqueue(session, recipient=msg.openid, payload=as_custom_message(reply, msg.openid),
                       dedupe_key=f"late-reply:{msg.dedupe_key}", now=services.clock.now())
