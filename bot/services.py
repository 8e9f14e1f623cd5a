"""The services one process shares: settings, clock, database, shared store, router, texts.

The web app and every command build the same Services, so handlers and jobs see one world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import make_engine, make_sessionmaker
from bot.models import KvEntry
from bot.router import Router
from bot.store import DatabaseStore, RedisStore, SharedStore
from bot.texts import Texts


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
    extras: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        """Release database and store connections (tests and short-lived commands)."""
        self.engine.dispose()
        self.store.close()

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
                    store=make_store(settings, engine, sessions, clock),
                    router=router or build_router(),
                    texts=Texts.load(settings.content_dir, settings.office))


def make_store(settings: Settings, engine: sa.Engine, sessions: sessionmaker[Session],
               clock: Clock) -> SharedStore:
    """Redis when configured; otherwise the database.

    On SQLite the store gets a file of its own: SQLite has one writer at a time, and the
    gateway's dedupe and reply writes must never queue behind a handler's transaction, or the
    5-second rule would break whenever the main database is busy.
    """
    if settings.redis_url:
        return RedisStore(settings.redis_url)
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return DatabaseStore(sessions, clock)
    store_engine = make_engine(str(engine.url.set(database=engine.url.database + ".shared")))
    KvEntry.__table__.create(store_engine, checkfirst=True)  # a cache: no migrations needed
    return DatabaseStore(make_sessionmaker(store_engine), clock)
