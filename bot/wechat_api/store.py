"""The store every worker shares: dedupe keys, stored replies, the access_token and locks.

The database is the default; Redis takes over when `redis_url` is set.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa

from bot.clock import Clock
from bot.db.engine import UTCDateTime, dialect_insert
from bot.models import KvEntry


class LockTimeout(RuntimeError):
    """Another process held the lock for longer than we were willing to wait."""


class SharedStore(Protocol):
    """Keys with an expiry, visible to every worker at once."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float) -> None: ...
    def add(self, key: str, value: str, ttl: float) -> bool: ...
    def count(self, key: str, ttl: float) -> int: ...
    def delete(self, key: str, value: str | None = None) -> None: ...
    def close(self) -> None: ...


@contextmanager
def held_lock(store: SharedStore, name: str, ttl: float = 30, wait: float = 30) -> Iterator[None]:
    """Hold a named lock across processes; the ttl frees it if its holder dies."""
    deadline = time.monotonic() + wait
    while True:
        with lock_if_free(store, name, ttl) as mine:
            if mine:
                yield
                return
        if time.monotonic() > deadline:
            raise LockTimeout(name)
        time.sleep(0.05)


@contextmanager
def lock_if_free(store: SharedStore, name: str, ttl: float = 30) -> Iterator[bool]:
    """Take a named lock only if nobody holds it; yields whether this process has it."""
    key, token = f"lock:{name}", uuid.uuid4().hex
    mine = store.add(key, token, ttl)
    try:
        yield mine
    finally:
        if mine:
            store.delete(key, token)


class DatabaseStore:
    """The shared store as rows of kv_entries; each call is one statement in its own transaction.

    Single upserts (ON CONFLICT, on SQLite and PostgreSQL alike) keep the gateway's per-message
    cost and lock time small.
    """

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        table = KvEntry.__table__
        insert = dialect_insert(engine)
        fresh = insert(table).values(key=sa.bindparam("k"), value=sa.bindparam("v"),
                                     expires_at=sa.bindparam("exp", type_=UTCDateTime))
        self._set = fresh.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"value": fresh.excluded.value, "expires_at": fresh.excluded.expires_at})
        # Take the key only where it is absent or its holder's entry has lapsed.
        self._add = fresh.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"value": fresh.excluded.value, "expires_at": fresh.excluded.expires_at},
            where=table.c.expires_at <= sa.bindparam("now", type_=UTCDateTime),
        ).returning(table.c.key)
        # One more hit on a counter: a lapsed one starts again at 1 with a new expiry.
        lapsed = table.c.expires_at <= sa.bindparam("now", type_=UTCDateTime)
        counted = insert(table).values(key=sa.bindparam("k"), value="1",
                                       expires_at=sa.bindparam("exp", type_=UTCDateTime))
        self._count = counted.on_conflict_do_update(index_elements=[table.c.key], set_={
            "value": sa.case((lapsed, "1"), else_=sa.cast(sa.cast(table.c.value, sa.Integer) + 1, sa.Text)),
            "expires_at": sa.case((lapsed, counted.excluded.expires_at), else_=table.c.expires_at),
        }).returning(table.c.value)
        self._get = sa.select(table.c.value).where(
            table.c.key == sa.bindparam("k"),
            table.c.expires_at > sa.bindparam("now", type_=UTCDateTime))

    def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        with self._engine.connect() as conn:
            return conn.execute(self._get, {"k": key, "now": self._clock.now()}).scalar()

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store value under key for ttl seconds, replacing any older value."""
        with self._engine.begin() as conn:
            conn.execute(self._set, {"k": key, "v": value, "exp": self._expiry(ttl)})

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store value only if key is absent or expired; True when this call stored it."""
        now = self._clock.now()
        with self._engine.begin() as conn:
            taken = conn.execute(self._add, {"k": key, "v": value, "now": now,
                                             "exp": now + timedelta(seconds=ttl)}).first()
            return taken is not None

    def count(self, key: str, ttl: float) -> int:
        """One more hit on the counter key (which lasts ttl seconds from its first hit); the
        hits so far."""
        now = self._clock.now()
        with self._engine.begin() as conn:
            return int(conn.execute(self._count, {"k": key, "now": now,
                                                  "exp": now + timedelta(seconds=ttl)}).scalar_one())

    def delete(self, key: str, value: str | None = None) -> None:
        """Remove key; with value, only if it still holds that value (a lock's own token)."""
        table = KvEntry.__table__
        condition = table.c.key == key
        if value is not None:
            condition = condition & (table.c.value == value)
        with self._engine.begin() as conn:
            conn.execute(sa.delete(table).where(condition))

    def purge(self) -> int:
        """Remove the entries that have lapsed (Redis does this by itself); how many."""
        table = KvEntry.__table__
        with self._engine.begin() as conn:
            return conn.execute(sa.delete(table).where(table.c.expires_at <= self._clock.now())).rowcount

    def close(self) -> None:
        """Release the store's database connections."""
        self._engine.dispose()

    def _expiry(self, ttl: float) -> datetime:
        return self._clock.now() + timedelta(seconds=ttl)


class RedisStore:
    """The shared store in Redis; expiry is Redis's own."""

    _DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"

    def __init__(self, url: str, prefix: str = "yinling:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5,
                                           socket_connect_timeout=5)
        self._prefix = prefix

    def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        return self._redis.get(self._prefix + key)

    def close(self) -> None:
        """Release the connection pool."""
        self._redis.close()

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store value under key for ttl seconds."""
        self._redis.set(self._prefix + key, value, px=int(ttl * 1000))

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store value only if key is absent; True when this call stored it."""
        return bool(self._redis.set(self._prefix + key, value, px=int(ttl * 1000), nx=True))

    def count(self, key: str, ttl: float) -> int:
        """One more hit on the counter key (which lasts ttl seconds from its first hit); the
        hits so far."""
        pipe = self._redis.pipeline()
        pipe.set(self._prefix + key, 0, px=int(ttl * 1000), nx=True)
        pipe.incr(self._prefix + key)
        return int(pipe.execute()[1])

    def delete(self, key: str, value: str | None = None) -> None:
        """Remove key; with value, only if it still holds that value."""
        if value is None:
            self._redis.delete(self._prefix + key)
        else:
            self._redis.eval(self._DELETE_IF, 1, self._prefix + key, value)
