"""The store every worker shares: dedupe keys, stored replies, the access_token and locks.

The database is the default; Redis takes over when `redis_url` is set.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.models import KvEntry


class LockTimeout(RuntimeError):
    """Another process held the lock for longer than we were willing to wait."""


class SharedStore(Protocol):
    """Keys with an expiry, visible to every worker at once."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float) -> None: ...
    def add(self, key: str, value: str, ttl: float) -> bool: ...
    def delete(self, key: str, value: str | None = None) -> None: ...
    def close(self) -> None: ...


@contextmanager
def held_lock(store: SharedStore, name: str, ttl: float = 30, wait: float = 30) -> Iterator[None]:
    """Hold a named lock across processes; the ttl frees it if its holder dies."""
    key, token = f"lock:{name}", uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not store.add(key, token, ttl):
        if time.monotonic() > deadline:
            raise LockTimeout(name)
        time.sleep(0.05)
    try:
        yield
    finally:
        store.delete(key, token)


class DatabaseStore:
    """The shared store as rows of kv_entries, each change in its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        with self._sessions() as session:
            row = session.get(KvEntry, key)
            if row is None or row.expires_at <= self._clock.now():
                return None
            return row.value

    def set(self, key: str, value: str, ttl: float) -> None:
        """Store value under key for ttl seconds, replacing any older value."""
        with self._sessions.begin() as session:
            session.merge(KvEntry(key=key, value=value, expires_at=self._expiry(ttl)))

    def add(self, key: str, value: str, ttl: float) -> bool:
        """Store value only if key is absent or expired; True when this call stored it."""
        try:
            with self._sessions.begin() as session:
                session.execute(sa.delete(KvEntry).where(
                    KvEntry.key == key, KvEntry.expires_at <= self._clock.now()))
                session.add(KvEntry(key=key, value=value, expires_at=self._expiry(ttl)))
        except IntegrityError:
            return False
        return True

    def delete(self, key: str, value: str | None = None) -> None:
        """Remove key; with value, only if it still holds that value (a lock's own token)."""
        condition = KvEntry.key == key
        if value is not None:
            condition = condition & (KvEntry.value == value)
        with self._sessions.begin() as session:
            session.execute(sa.delete(KvEntry).where(condition))

    def close(self) -> None:
        """Release the store's database connections."""
        bind = self._sessions.kw.get("bind")
        if bind is not None:
            bind.dispose()

    def purge_expired(self) -> int:
        """Delete expired entries; returns how many."""
        with self._sessions.begin() as session:
            result = session.execute(sa.delete(KvEntry).where(KvEntry.expires_at <= self._clock.now()))
            return result.rowcount

    def _expiry(self, ttl: float):
        return self._clock.now() + timedelta(seconds=ttl)


class RedisStore:
    """The shared store in Redis; expiry is Redis's own."""

    _DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"

    def __init__(self, url: str, prefix: str = "yinling:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
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

    def delete(self, key: str, value: str | None = None) -> None:
        """Remove key; with value, only if it still holds that value."""
        if value is None:
            self._redis.delete(self._prefix + key)
        else:
            self._redis.eval(self._DELETE_IF, 1, self._prefix + key, value)
