"""The database engine, sessions and the declarative base shared by all models."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from bot.db.file_lock import FileLock

log = logging.getLogger(__name__)


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


# The largest id an INTEGER column holds (PostgreSQL's four bytes; SQLite's eight hold more): an id
# typed or forged past it names no record, and must not reach a query, which would fail on it.
LARGEST_ID = 2**31 - 1


def record_id(value: object) -> int | None:
    """value as an id a record may have (1 to LARGEST_ID, digits or an int); None otherwise."""
    if isinstance(value, str):
        value = int(value) if value.isascii() and value.isdecimal() and len(value) <= 10 else None
    return value if isinstance(value, int) and 1 <= value <= LARGEST_ID else None


def past_any_id(values: Iterable[object]) -> bool:
    """Whether any int among values (a URL's numbers) is past any id a record can have."""
    return any(isinstance(v, int) and record_id(v) is None for v in values)


def make_engine(url: str) -> sa.Engine:
    """An engine tuned for several workers sharing one database."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # No pre-ping: it costs a round trip per message; a connection broken by a database restart
    # fails one request (answered with an apology) and is then replaced by the pool.
    # prepare_threshold None: psycopg prepares nothing of its own, so it never sends the
    # DEALLOCATE ALL after a rollback that would drop the claim bot.db.round_trips prepared.
    return sa.create_engine(url, pool_size=5, max_overflow=10, pool_recycle=3600,
                            hide_parameters=True,
                            connect_args={"connect_timeout": 5, "prepare_threshold": None})


LOCK_WAIT = 30.0  # seconds a transaction waits for the SQLite lock before failing
CHECKPOINT_EVERY = 200  # commits in a process between copies of the WAL into the database file


class _QueuedSQLiteConnection(sqlite3.Connection):
    """A SQLite connection whose transactions queue on an OS file lock.

    SQLite has one writer at a time, and its own busy handler retries after sleeping 1, 2, 5,
    10 … ms, which leaves the CPU idle and latency high when several workers write at once.
    A FileLock (flock) lets the next waiter in the moment the lock is released. Every
    connection has its own, so all processes and threads exclude each other; the OS drops the
    lock if a process dies.
    """

    lock_path: str = ""
    # Commits through this engine since its last checkpoint (kept on the engine's own subclass).
    # Threads may race on it: a count off by one only moves a checkpoint by a commit.
    commits = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._file_lock = FileLock(self.lock_path)

    def begin_queued(self) -> None:
        """Wait (up to LOCK_WAIT seconds) for the lock, then begin a transaction that holds it."""
        self._lock()
        self.execute("BEGIN IMMEDIATE")

    def _lock(self) -> None:
        if not self._file_lock.acquire(timeout=LOCK_WAIT):
            raise sqlite3.OperationalError(f"database is locked: waited {LOCK_WAIT}s for {self.lock_path}")

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._unlock()
        self._checkpoint_now_and_then()

    def _checkpoint_now_and_then(self) -> None:
        # SQLite's own checkpoint runs inside the commit that fills the WAL, so while the lock is
        # held: every waiting worker stalls for its milliseconds. Here the bulk of the copying
        # runs after the lock is released (PASSIVE: it never waits for readers or writers); a
        # second pass under the lock copies the few frames written meanwhile, so that the next
        # writer starts the log over instead of letting it grow while writes come back to back.
        cls = type(self)
        cls.commits += 1
        if cls.commits < CHECKPOINT_EVERY:
            return
        cls.commits = 0
        try:
            self.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self._lock()
            try:
                self.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                self._unlock()
        except sqlite3.Error as exc:  # the commit itself has succeeded: it must not look failed
            log.warning("could not checkpoint %s: %s", self.lock_path, exc)

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._unlock()

    def close(self) -> None:
        try:
            super().close()  # rolls back what is open first, while the lock still keeps others out
        finally:
            self._file_lock.close()

    def _unlock(self) -> None:
        self._file_lock.release()


def _sqlite_engine(url: str) -> sa.Engine:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        return sa.create_engine(url)
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    factory = type("QueuedSQLiteConnection", (_QueuedSQLiteConnection,),
                   {"lock_path": database + ".lock"})
    # hide_parameters: an error must not carry what retirees wrote, or phone numbers, into logs.
    engine = sa.create_engine(url, hide_parameters=True, connect_args={
        "timeout": 30, "check_same_thread": False, "factory": factory})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below). Every transaction, reads too, queues on the lock:
        # one writer at a time is SQLite's nature, and the queue keeps the wait fair and short.
        dbapi_conn.isolation_level = None
        # wal_autocheckpoint=0: commits checkpoint mostly outside the lock (_checkpoint_now_and_then).
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000",
                       "foreign_keys=ON", "wal_autocheckpoint=0",
                       "journal_size_limit=16777216"):  # the log file shrinks back after a burst
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


def hold_until_commit(session: Session, key: str) -> None:
    """Make the session's transaction the only one holding key until it ends: on PostgreSQL an
    advisory lock (another waits for it, then reads what it wrote: each statement sees what was
    committed before it, under READ COMMITTED, PostgreSQL's default, which make_engine keeps); on
    SQLite nothing, as its writers already queue on the database's one lock. For a check and a
    write that must not run side by side for the same key, where no unique index can say it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(bind: sa.Engine | sa.Connection) -> Any:
    """The INSERT construct with ON CONFLICT support for the bind's dialect."""
    try:
        return _INSERTS[bind.dialect.name]
    except KeyError:
        raise NotImplementedError(f"no ON CONFLICT for {bind.dialect.name}") from None


@functools.cache
def upsert(table: sa.Table, dialect_name: str, key: str | tuple[str, ...], update: tuple[str, ...],
           returning: str | None = None) -> Any:
    """A prebuilt INSERT … ON CONFLICT (key, or the key's columns) DO UPDATE (or DO NOTHING)
    taking every column as a parameter, RETURNING the column named (a row only when one was
    written); built once per table and dialect, because building one cost SQLAlchemy more than
    running it, and these run for every message."""
    insert = _INSERTS[dialect_name](table)
    index = [table.c[k] for k in ((key,) if isinstance(key, str) else key)]
    if update:
        insert = insert.on_conflict_do_update(index_elements=index,
                                              set_={c: insert.excluded[c] for c in update})
    else:
        insert = insert.on_conflict_do_nothing(index_elements=index)
    return insert.returning(table.c[returning]) if returning else insert
