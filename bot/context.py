"""The context every handler receives: who wrote, their state, the session and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.conversation import Conversation
from bot.db import UTCDateTime
from bot.models import Binding, ConversationState, Follower, OutboxMessage, OutboxStatus
from bot.router import Router
from bot.texts import Texts

if TYPE_CHECKING:
    from bot.policies import PolicyEngine  # imports jieba: only where it is used


@dataclass(frozen=True)
class Sender:
    """What every message needs to know about who sent it: whom they speak for, the step they
    are in, and whether notices wait in their mailbox."""

    binding: Binding | None
    step: str | None
    data: dict[str, Any]
    has_mail: bool


# Built once, one statement: every message asks it, and on PostgreSQL each statement is a
# round trip to the database server (three separate ones cost a fifth of a message's time).
_ME = sa.select(sa.bindparam("openid", type_=sa.String(64)).label("openid")).subquery("me")
_STATE = ConversationState.__table__
_OUTBOX = OutboxMessage.__table__
_SENDER = (
    sa.select(Binding, _STATE.c.step, _STATE.c.data,
              sa.exists().where(_OUTBOX.c.recipient == _ME.c.openid,
                                _OUTBOX.c.status == OutboxStatus.MAILBOX).label("has_mail"))
    .select_from(_ME)
    .outerjoin(Binding, sa.and_(Binding.openid == _ME.c.openid, Binding.unbound_at.is_(None)))
    .outerjoin(_STATE, sa.and_(_STATE.c.openid == _ME.c.openid,
                               _STATE.c.expires_at > sa.bindparam("now", type_=UTCDateTime))))


def read_sender(session: Session, openid: str, now: datetime) -> Sender:
    """The sender's binding, pending step (unexpired) and mailbox flag, in one statement."""
    binding, step, data, has_mail = session.execute(_SENDER, {"openid": openid, "now": now}).one()
    return Sender(binding=binding, step=step, data=dict(data) if data else {}, has_mail=bool(has_mail))


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
    binding: Binding | None  # whom this user speaks for (as the retiree or as family), or None

    @cached_property
    def follower(self) -> Follower:
        """This user's follower record (loaded only by the handlers that need it)."""
        follower = self.session.get(Follower, self.openid)
        assert follower is not None  # dispatch creates it before any handler runs
        return follower

    @property
    def now(self) -> datetime:
        """The current time, from the injected clock."""
        return self.clock.now()
