"""The shared store (database or Redis): expiring keys, set-if-absent, and cross-process locks."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from bot.wechat_api.store import DatabaseStore, LockTimeout, RedisStore, SharedStore, held_lock

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip() -> RedisStore:
    store = RedisStore(REDIS_URL, prefix=f"test-{uuid.uuid4().hex}:")
    try:
        store.get("ping")
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return store


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, services, clock) -> Iterator[SharedStore]:
    if request.param == "database":
        yield DatabaseStore(services.engine, clock)
        return
    redis_store = _redis_or_skip()
    yield redis_store
    redis_store.close()


def test_set_get_and_delete(store: SharedStore) -> None:
    assert store.get("k") is None
    store.set("k", "一", ttl=60)
    store.set("k", "二", ttl=60)
    assert store.get("k") == "二"
    store.delete("k")
    assert store.get("k") is None


def test_add_takes_a_key_only_once(store: SharedStore) -> None:
    assert store.add("once", "a", ttl=60) is True
    assert store.add("once", "b", ttl=60) is False
    assert store.get("once") == "a"


def test_a_counter_counts_every_hit_until_it_lapses(store: SharedStore, clock) -> None:
    assert [store.count("hits", ttl=60) for _ in range(3)] == [1, 2, 3]
    assert store.count("other", ttl=60) == 1  # each key its own
    if isinstance(store, DatabaseStore):  # the test clock moves the database store's time
        clock.advance(seconds=61)
        assert store.count("hits", ttl=60) == 1


def test_delete_with_a_value_only_removes_ones_own_entry(store: SharedStore) -> None:
    store.set("lock", "mine", ttl=60)
    store.delete("lock", "someone-else")
    assert store.get("lock") == "mine"
    store.delete("lock", "mine")
    assert store.get("lock") is None


def test_entries_expire(services, clock) -> None:
    store = DatabaseStore(services.engine, clock)
    store.set("short", "x", ttl=5)
    assert store.add("short", "y", ttl=5) is False
    clock.advance(seconds=6)
    assert store.get("short") is None
    assert store.add("short", "y", ttl=5) is True


def test_redis_entries_expire() -> None:
    store = _redis_or_skip()
    try:
        store.set("short", "x", ttl=0.2)
        time.sleep(0.3)
        assert store.get("short") is None
    finally:
        store.close()


def test_a_held_lock_makes_others_wait_then_lets_one_in(store: SharedStore) -> None:
    inside: list[str] = []

    def critical(name: str) -> None:
        with held_lock(store, "refresh", ttl=10, wait=5):
            inside.append(f"{name} in")
            time.sleep(0.1)
            inside.append(f"{name} out")

    threads = [threading.Thread(target=critical, args=(n,)) for n in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # never two inside at once: every "in" is followed by its own "out"
    assert all(inside[i].split()[0] == inside[i + 1].split()[0] for i in range(0, 6, 2))


def test_waiting_too_long_for_a_lock_raises(store: SharedStore) -> None:
    store.set("lock:busy", "held-by-another-process", ttl=60)
    with pytest.raises(LockTimeout), held_lock(store, "busy", wait=0.2):
        pass
