"""The context every handler receives: who wrote, their state, the session and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.conversation import Conversation
from bot.models import Binding, Follower
from bot.router import Router
from bot.texts import Texts

if TYPE_CHECKING:
    from bot.policies import PolicyEngine  # imports jieba: only where it is used


# Built once: every message asks it.
_ACTIVE_BINDING = sa.select(Binding).where(Binding.openid == sa.bindparam("openid"),
                                           Binding.unbound_at.is_(None))


@dataclass
class Context:
    """Built by dispatch for one message; handlers read from it and never open sessions."""

    openid: str
    session: Session
    clock: Clock
    conversation: Conversation
    texts: Texts
    settings: Settings
    router: Router
    policies: PolicyEngine

    @cached_property
    def follower(self) -> Follower:
        """This user's follower record (loaded only by the handlers that need it)."""
        follower = self.session.get(Follower, self.openid)
        assert follower is not None  # dispatch creates it before any handler runs
        return follower

    @cached_property
    def binding(self) -> Binding | None:
        """Whom this user speaks for (as the retiree or as family), or None if not bound yet."""
        return self.session.scalar(_ACTIVE_BINDING, {"openid": self.openid})

    @property
    def now(self) -> datetime:
        """The current time, from the injected clock."""
        return self.clock.now()
