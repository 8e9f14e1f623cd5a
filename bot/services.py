"""The services one process shares: settings, clock, database, shared store, router, texts.

The web app and every command build the same Services, so handlers and jobs see one world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.delivery.pacer import SendPacer
from bot.followers import KnownFollowers
from bot.router import Router
from bot.store import DatabaseStore, RedisStore, SharedStore
from bot.texts import Texts

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
    router: Router
    texts: Texts
    known_followers: KnownFollowers = field(default_factory=KnownFollowers)

    def close(self) -> None:
        """Release database and store connections (tests and short-lived commands)."""
        self.engine.dispose()
        self.store.close()

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
    def wechat(self):
        """The WeChat API client (the local stand-in in sandbox and tests)."""
        from bot.wechat_client import WeChatApi

        return WeChatApi(self.settings.wechat, self.store)


def build_services(settings: Settings, clock: Clock | None = None,
                   router: Router | None = None) -> Services:
    """Services for settings; the router defaults to every handler in handlers/."""
    from handlers import build_router

    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    return Services(settings=settings, clock=clock, engine=engine, sessions=sessions,
                    store=make_store(settings, engine, clock),
                    router=router or build_router(),
                    texts=Texts.load(settings.content_dir, settings))


def make_store(settings: Settings, engine: sa.Engine, clock: Clock) -> SharedStore:
    """Redis when configured; otherwise the database every worker already shares."""
    if settings.redis_url:
        return RedisStore(settings.redis_url)
    return DatabaseStore(engine, clock)
