"""Answer each WeChat delivery within the reply budget, once."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future

from bot.conversation.dispatch import Responder
from bot.conversation.inbound import Inbound
from bot.conversation.record import Replayed
from bot.conversation.replies import SUCCESS, Text, render_passive
from bot.gateway.handoff import Handoff

log = logging.getLogger(__name__)


def answer_once(responder: Responder, pool: Executor, msg: Inbound) -> str:
    """The passive reply body for msg: the handler's, a retry's stored one, or `success` when the
    handler needs longer than the budget (its reply then goes out through the outbox)."""
    services = responder.services
    handoff = Handoff()
    future = pool.submit(responder.handle_once, msg, handoff)
    future.add_done_callback(lambda done: _log_unseen_failure(done, handoff, msg))
    try:
        body = handoff.wait(future, services.settings.wechat.reply_budget)
    except Replayed:
        raise
    except Exception:
        # Even the apology could not be recorded (the database is down): still answer kindly.
        log.exception("could not handle %s", msg.log_ref)
        apology = Text(services.texts.get("replies.error"))
        return render_passive(apology, openid=msg.openid, account=msg.account, now=services.clock.now())
    return SUCCESS if body is None else body


def _log_unseen_failure(future: Future[None], handoff: Handoff, msg: Inbound) -> None:
    """After the request gave up, nobody reads the handler's result: log its failure here."""
    if handoff.abandoned and future.exception() is not None:
        log.error("late handling of %s failed", msg.log_ref, exc_info=future.exception())
