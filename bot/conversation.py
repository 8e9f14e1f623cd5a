"""The step a user is in, stored per openid with an expiry so any worker can pick it up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.models import ConversationState


class Conversation:
    """Read and change one openid's pending step inside the message's own session."""

    def __init__(self, session: Session, openid: str, clock: Clock, ttl: int) -> None:
        self._session = session
        self._openid = openid
        self._clock = clock
        self._ttl = ttl
        self._state: ConversationState | None = session.get(ConversationState, openid)

    @property
    def step(self) -> str | None:
        """The pending step's name, or None when there is none or it has expired."""
        if self._state is None or self._state.expires_at <= self._clock.now():
            return None
        return self._state.step

    @property
    def data(self) -> dict[str, Any]:
        """What the step remembered (e.g. the options that were shown)."""
        return dict(self._state.data) if self.step else {}

    def expect(self, step: str, data: dict[str, Any] | None = None, ttl: int | None = None) -> None:
        """Wait for the user's next message to answer `step`."""
        expires_at = self._clock.now() + timedelta(seconds=ttl or self._ttl)
        if self._state is None:
            self._state = ConversationState(openid=self._openid, step=step, data=data or {},
                                            expires_at=expires_at)
            self._session.add(self._state)
        else:
            self._state.step, self._state.data = step, data or {}
            self._state.expires_at = expires_at

    def clear(self) -> None:
        """Forget the pending step."""
        if self._state is not None:
            self._session.delete(self._state)
            self._session.flush()
            self._state = None
