"""The context every handler receives: who wrote, their state, the connection and the clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached

from bot.clock import Clock
from bot.config import Settings
from bot.conversation import Conversation
from bot.db.engine import UTCDateTime
from bot.language.texts import Texts
from bot.models import Binding, ConversationState, Follower, OutboxMessage, OutboxStatus
from bot.router import Router

if TYPE_CHECKING:
    from bot.policies import PolicyEngine  # imports jieba: only where it is used


class Sender(NamedTuple):
    """What every message needs to know about who sent it: whom they speak for, the step they
    are in, and whether notices wait in their mailbox."""

    binding: Binding | None  # detached: built from the row, attached when the session opens
    step: str | None
    data: dict[str, Any]
    has_mail: bool


# Built once, plain columns read in the claim's own statement (bot.inbound_record runs them):
# every message asks it, on PostgreSQL each statement is a round trip, and loading it through
# the ORM cost more than running it.
_ME = sa.select(sa.bindparam("openid", type_=sa.String(64)).label("openid")).subquery("me")
_STATE = ConversationState.__table__
_OUTBOX = OutboxMessage.__table__
_BINDINGS = Binding.__table__
_BINDING_FIELDS = tuple((attr.key, f"binding_{attr.key}", attr.columns[0])
                        for attr in sa.inspect(Binding).column_attrs)
SENDER_COLUMNS = (
    *(column.label(label) for _, label, column in _BINDING_FIELDS),
    _STATE.c.step, _STATE.c.data,
    sa.exists().where(_OUTBOX.c.recipient == _ME.c.openid,
                      _OUTBOX.c.status == OutboxStatus.MAILBOX).label("has_mail"))
SENDER_FROM = (
    _ME.outerjoin(_BINDINGS, sa.and_(_BINDINGS.c.openid == _ME.c.openid,
                                     _BINDINGS.c.unbound_at.is_(None)))
    .outerjoin(_STATE, sa.and_(_STATE.c.openid == _ME.c.openid,
                               _STATE.c.expires_at > sa.bindparam("now", type_=UTCDateTime))))


def sender_from(row: Mapping[str, Any]) -> Sender:
    """The Sender in a row of SENDER_COLUMNS (read with the message's claim, bot.inbound_record)."""
    binding = None
    if row["binding_id"] is not None:
        binding = Binding(**{key: row[label] for key, label, _ in _BINDING_FIELDS})
        make_transient_to_detached(binding)  # as if loaded: a session takes it without a query
    data = row["data"]
    return Sender(binding, row["step"], dict(data) if data else {}, bool(row["has_mail"]))


class Context:
    """Built by dispatch for one message; handlers read from it and never open sessions.

    The ORM session is opened on first use, inside the message's own transaction: most
    messages (a menu, a policy answer) need none, and opening one costs as much as a query.
    """

    def __init__(self, *, openid: str, connection: sa.Connection, clock: Clock,
                 conversation: Conversation, texts: Texts, settings: Settings, router: Router,
                 policies: PolicyEngine, binding: Binding | None) -> None:
        self.openid = openid
        self.connection = connection
        self.clock = clock
        self.conversation = conversation
        self.texts = texts
        self.settings = settings
        self.router = router
        self.policies = policies
        self._binding = binding
        self._closed = False

    @cached_property
    def session(self) -> Session:
        """The ORM session, sharing the message's connection and transaction."""
        if self._closed:
            raise RuntimeError("the message's transaction is over; its context cannot open a session")
        # rollback_only: the session never commits; dispatch commits the message as a whole.
        session = Session(bind=self.connection, join_transaction_mode="rollback_only",
                          expire_on_commit=False)
        if self._binding is not None:
            session.add(self._binding)
        return session

    @property
    def binding(self) -> Binding | None:
        """Whom this user speaks for (as the retiree or as family), or None; in the session."""
        if self._binding is not None:
            self.session  # noqa: B018 - attached, so its retiree and changes work
        return self._binding

    @binding.setter
    def binding(self, binding: Binding | None) -> None:
        self._binding = binding

    @property
    def bound(self) -> bool:
        """True when this user is bound to a retiree (answered without opening the session)."""
        return self._binding is not None

    def on_behalf(self) -> tuple[int | None, bool]:
        """(retiree_id, whether as family) of the binding, without opening the session."""
        if self._binding is None:
            return None, False
        return self._binding.retiree_id, self._binding.is_agent

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

    def flush(self) -> None:
        """Write what handlers changed (the session's objects, the conversation) into the
        message's transaction."""
        if "session" in self.__dict__:
            self.session.flush()
        self.conversation.save()

    def close(self) -> None:
        """Let go of the session, if one was opened (the transaction is dispatch's)."""
        self._closed = True
        session = self.__dict__.pop("session", None)
        if session is not None:
            session.close()
