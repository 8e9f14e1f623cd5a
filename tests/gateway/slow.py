"""A capability that takes its time, for the tests of WeChat's retries and the 5-second rule."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from flask.testing import FlaskClient

from bot import create_app
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from handlers import build_router
from tests.helpers import OPENID, Chat

SLOW_ANSWER = "慢慢来，这是回复。"


class SlowCapability:
    """A capability that takes its time (like a slow database) and counts its runs."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.runs: list[str] = []

    def router(self) -> Router:
        router = build_router()
        router.matcher("slow")(self.answer)
        return router

    def answer(self, msg: Inbound, ctx: Context) -> Reply | None:
        if msg.text == "慢":
            self.runs.append(msg.msg_id)
            time.sleep(self.delay)
            return Text(SLOW_ANSWER)
        if msg.text == "出错":
            raise RuntimeError("a bug in a handler")
        if msg.text == "改了再出错":  # written through the session, then a bug
            ctx.follower.bind_failures = 3
            ctx.session.flush()
            raise RuntimeError("a bug after a write")
        return None


    def client(self, services: Services) -> FlaskClient:
        """The web app over services, with this capability among the handlers."""
        return create_app(services=services, router=self.router()).test_client()


def close_when_idle(services: Services, timeout: float = 5.0) -> None:
    """Close services once no handler holds a database connection. A handler that outlived its
    request's budget may still be returning its connection after its commit: disposed under it,
    the engine leaves that connection open, and psycopg's warning when it is collected fails
    whichever test runs then (seen once on PostgreSQL, in another file's setup)."""
    deadline = time.monotonic() + timeout
    while services.engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.01)
    services.close()


def tuned_services(settings, clock, budget: float = 2.0) -> Services:
    """Services whose reply budget is budget seconds."""
    return build_services(replace(settings, wechat=replace(settings.wechat, reply_budget=budget)),
                          clock=clock)


def retry_while_running(first: Chat, second: Chat, wechat: WeChatSide) -> set[str]:
    """What the two deliveries of one 「慢」 got: the first at first, WeChat's retry at second
    while the first worker's handler is still running."""
    delivery = wechat.deliver(wechat.text(OPENID, "慢"))
    bodies: dict[str, str] = {}
    worker = threading.Thread(target=lambda: bodies.update(a=first.post(delivery).text))
    worker.start()
    time.sleep(0.15)  # the retry lands while the first worker's handler is still running
    bodies["b"] = second.post(delivery).text
    worker.join()
    return {wechat.open_reply(b)["Content"] for b in bodies.values()}
