"""The context every handler receives: who wrote, their state, the session and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.conversation import Conversation
from bot.models import Follower
from bot.texts import Texts


@dataclass
class Context:
    """Built by dispatch for one message; handlers read from it and never open sessions."""

    openid: str
    follower: Follower
    session: Session
    clock: Clock
    conversation: Conversation
    texts: Texts
    settings: Settings

    @property
    def now(self) -> datetime:
        """The current time, from the injected clock."""
        return self.clock.now()
