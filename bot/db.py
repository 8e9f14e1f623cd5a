"""The database engine, sessions and the declarative base shared by all models."""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes stored as naive UTC, so SQLite and PostgreSQL read back the same instant."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the injected clock")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """The base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


def make_engine(url: str) -> sa.Engine:
    """An engine tuned for several workers sharing one database."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # No pre-ping: it costs a round trip per message; a connection broken by a database restart
    # fails one request (answered with an apology) and is then replaced by the pool.
    return sa.create_engine(url, pool_size=5, max_overflow=10, pool_recycle=3600)


class _QueuedSQLiteConnection(sqlite3.Connection):
    """A SQLite connection whose transactions queue on an OS file lock.

    SQLite has one writer at a time, and its own busy handler retries after sleeping 1, 2, 5,
    10 … ms, which leaves the CPU idle and latency high when several workers write at once.
    flock() wakes the next waiter the moment the lock is released. Every process and thread
    opens its own descriptor, so they all exclude each other; the OS drops the lock if a
    process dies.
    """

    lock_path: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        self._locked = False

    def begin_queued(self) -> None:
        """Wait for the write lock, then begin a transaction that holds it."""
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._locked = True
        self.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._unlock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._unlock()

    def close(self) -> None:
        self._unlock()
        os.close(self._lock_fd)
        super().close()

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


def _sqlite_engine(url: str) -> sa.Engine:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        return sa.create_engine(url)
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    factory = type("QueuedSQLiteConnection", (_QueuedSQLiteConnection,),
                   {"lock_path": database + ".lock"})
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False,
                                                 "factory": factory})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); WAL lets readers proceed while one writes.
        dbapi_conn.isolation_level = None
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000",
                       "foreign_keys=ON"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.connection.dbapi_connection.begin_queued()

    return engine


def make_sessionmaker(engine: sa.Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    with factory() as session, session.begin():
        yield session


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(bind: sa.Engine | sa.Connection) -> Any:
    """The INSERT construct with ON CONFLICT support for the bind's dialect."""
    try:
        return _INSERTS[bind.dialect.name]
    except KeyError:
        raise NotImplementedError(f"no ON CONFLICT for {bind.dialect.name}") from None


@functools.cache
def upsert(table: sa.Table, dialect_name: str, key: str, update: tuple[str, ...]) -> Any:
    """A prebuilt INSERT … ON CONFLICT (key) DO UPDATE (or DO NOTHING) taking every column as a
    parameter; built once per table and dialect, because it runs for every message."""
    insert = _INSERTS[dialect_name](table)
    if not update:
        return insert.on_conflict_do_nothing(index_elements=[table.c[key]])
    return insert.on_conflict_do_update(index_elements=[table.c[key]],
                                        set_={c: insert.excluded[c] for c in update})


def insert_ignoring_conflict(session: Session, table: type[Base], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True when a row was inserted.

    RETURNING tells, where rowcount is not reliable for upserts on every driver.
    """
    insert = dialect_insert(session.get_bind())
    key = sa.inspect(table).primary_key[0]
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None
