"""The step a user is in, stored per openid with an expiry so any worker can pick it up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bot.clock import Clock
from bot.db import upsert
from bot.models import ConversationState

_TABLE = ConversationState.__table__
_FORGET = sa.delete(_TABLE).where(_TABLE.c.openid == sa.bindparam("openid"))


class Conversation:
    """Read and change one openid's pending step inside the message's own transaction.

    Plain statements rather than ORM objects: this runs for every message.
    """

    def __init__(self, conn: sa.Connection, openid: str, clock: Clock, ttl: int, step: str | None,
                 data: dict[str, Any]) -> None:
        """step and data: the unexpired state as read with the rest (bot.inbound_record.claim)."""
        self._conn = conn
        self._openid = openid
        self._clock = clock
        self._ttl = ttl
        self._step: str | None = step
        self._data: dict[str, Any] = dict(data)

    @property
    def step(self) -> str | None:
        """The pending step's name, or None when there is none or it has expired."""
        return self._step

    @property
    def data(self) -> dict[str, Any]:
        """What the step remembered (e.g. the options that were shown)."""
        return dict(self._data)

    def expect(self, step: str, data: dict[str, Any] | None = None, ttl: int | None = None) -> None:
        """Wait for the user's next message to answer `step`."""
        values = {"openid": self._openid, "step": step, "data": data or {},
                  "expires_at": self._clock.now() + timedelta(seconds=ttl or self._ttl)}
        self._conn.execute(upsert(_TABLE, self._conn.dialect.name, "openid",
                                  ("step", "data", "expires_at")), values)
        self._step, self._data = step, dict(data or {})

    def clear(self) -> None:
        """Forget the pending step."""
        if self._step is not None:
            self._conn.execute(_FORGET, {"openid": self._openid})
            self._step, self._data = None, {}
