"""One scheduler at a time: a lease in the database that the running scheduler keeps renewing."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from bot.clock import Clock
from bot.db.engine import UTCDateTime
from bot.models import KvEntry
from bot.wechat_api.store import DatabaseStore

log = logging.getLogger(__name__)
LEASE_KEY = "scheduler:leader"


class Leadership:
    """The right to run jobs; a second process waits until the first stops renewing it."""

    def __init__(self, engine: sa.Engine, clock: Clock, ttl: float = 30) -> None:
        self._store = DatabaseStore(engine, clock)  # the database even when Redis is configured
        self._engine, self._clock, self.ttl = engine, clock, ttl
        self.token = uuid.uuid4().hex

    def wait(self, poll: float = 1.0) -> None:
        """Block until this process holds the lease."""
        announced = False
        while not self.try_take():
            if not announced:
                log.info("another scheduler is running; waiting until it stops")
                announced = True
            time.sleep(poll)
        log.info("this process is now the scheduler")

    def try_take(self) -> bool:
        """Take the lease if nobody holds it (or its holder stopped renewing); True if taken."""
        return self._store.add(LEASE_KEY, self.token, self.ttl)

    def renew(self) -> bool:
        """Extend the lease; False if another process has taken it (ours had lapsed)."""
        table = KvEntry.__table__
        with self._engine.begin() as conn:
            done = conn.execute(
                sa.update(table).where(table.c.key == LEASE_KEY, table.c.value == self.token)
                .values(expires_at=sa.bindparam("exp", type_=UTCDateTime)),
                {"exp": self._clock.now() + timedelta(seconds=self.ttl)})
        return done.rowcount == 1

    def release(self) -> None:
        """Give the lease up (on a clean stop), so a waiting scheduler starts at once."""
        self._store.delete(LEASE_KEY, self.token)
