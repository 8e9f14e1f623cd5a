"""The services one process shares: settings, clock, database, shared store, router, texts.

The web app and every command build the same Services, so handlers and jobs see one world.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.accounts.followers import KnownFollowers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.store import DatabaseStore, RedisStore, SharedStore
from bot.language.texts import Texts
from bot.router import Router
from bot.wechat_api.pacer import SendPacer

if TYPE_CHECKING:
    from bot.policies import PolicyEngine  # imports jieba: only where it is used


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
    given_router: Router | None = None  # a test's own; else every handler, built on first use

    def close(self) -> None:
        """Release database and store connections (tests and short-lived commands)."""
        if "send_pool" in self.__dict__:
            self.send_pool.shutdown()
        if "wechat" in self.__dict__:
            self.wechat.close()
        self.engine.dispose()
        self.store.close()

    @cached_property
    def router(self) -> Router:
        """The handlers that answer messages (built on first use: commands that only queue or
        report never load them, nor jieba with them)."""
        if self.given_router is not None:
            return self.given_router
        from handlers import build_router

        return build_router()

    @cached_property
    def policies(self) -> PolicyEngine:
        """The policy knowledge base and its router (jieba loaded once per process)."""
        from bot.policies import load_engine

        return load_engine(self.settings.content_dir)

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


def build_services(settings: Settings, clock: Clock | None = None,
                   router: Router | None = None) -> Services:
    """Services for settings; the router defaults to every handler in handlers/."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    return Services(settings=settings, clock=clock, engine=engine, sessions=sessions,
                    store=make_store(settings, engine, clock),
                    given_router=router,
                    texts=Texts.load(settings.content_dir, settings))


def make_store(settings: Settings, engine: sa.Engine, clock: Clock) -> SharedStore:
    """Redis when configured; otherwise the database every worker already shares."""
    if settings.redis_url:
        return RedisStore(settings.redis_url)
    return DatabaseStore(engine, clock)
