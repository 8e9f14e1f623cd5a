"""The services one process shares: settings, clock, database, shared store, texts, the WeChat
client and the pace of its sends.

The web app, the scheduler and every command build the same Services, so handlers and jobs see
one world. It knows no feature: what answers messages (the router, the policy knowledge base)
is put together by the faces (bot.conversation.dispatch.Responder).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.accounts.followers import KnownFollowers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.language.texts import Texts
from bot.wechat_api.pacer import SendPacer
from bot.wechat_api.store import DatabaseStore, RedisStore, SharedStore


@dataclass
class Services:
    """What handlers, the gateway, the outbox and commands need, built once per process."""

    settings: Settings
    clock: Clock
    engine: sa.Engine
    sessions: sessionmaker[Session]
    store: SharedStore
    texts: Texts
    known_followers: KnownFollowers = field(default_factory=KnownFollowers)

    def close(self) -> None:
        """Release database and store connections (tests and short-lived commands)."""
        if "send_pool" in self.__dict__:
            self.send_pool.shutdown()
        for client in ("wechat", "mini_program"):
            if client in self.__dict__:
                self.__dict__[client].close()
        self.engine.dispose()
        self.store.close()

    @cached_property
    def send_pacer(self) -> SendPacer:
        """This process's per-minute limit on calls to WeChat's send APIs."""
        return SendPacer(self.settings.delivery.sends_per_minute)

    @cached_property
    def send_pool(self) -> ThreadPoolExecutor:
        """The threads that keep `[delivery] parallel` sends in flight, kept for the process's life."""
        return ThreadPoolExecutor(self.settings.delivery.parallel, thread_name_prefix="outbox-send")

    @cached_property
    def wechat(self):
        """The WeChat API client (the local stand-in in sandbox and tests)."""
        from bot.wechat_api.client import WeChatApi

        return WeChatApi(self.settings.wechat, self.store)

    @cached_property
    def mini_program(self):
        """The mini-program's API client, kept for the process's life like `wechat`: a notice to
        many sends a subscribe message each (with a client per message, one sender did 125–183 a
        second; with this one, 214–242, side by side on 2026-12-03)."""
        from bot.wechat_api.miniprogram import MiniProgramApi

        return MiniProgramApi(self.settings, self.store)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Services for settings, on the system clock unless given another."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    return Services(settings=settings, clock=clock, engine=engine, sessions=sessions,
                    store=make_store(settings, engine, clock),
                    texts=Texts.load(settings.content_dir, settings))


def make_store(settings: Settings, engine: sa.Engine, clock: Clock) -> SharedStore:
    """Redis when configured; otherwise the database every worker already shares."""
    if settings.redis_url:
        return RedisStore(settings.redis_url)
    return DatabaseStore(engine, clock)
