"""The context every handler receives: who wrote, their state, the connection and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.conversation.inbound import Inbound
from bot.conversation.record import BoundAs
from bot.conversation.replies import Reply
from bot.conversation.steps import Conversation
from bot.db.direct import Write
from bot.language.texts import Texts
from bot.models import Binding, Follower

if TYPE_CHECKING:
    from bot.policies import PolicyEngine

# The router's action runner: (action name, message, context) → reply.
Act = Callable[[str, Inbound, "Context"], Reply]


class Context:
    """Built by dispatch for one message; handlers read from it and never open sessions.

    The ORM session is opened on first use, inside the message's own transaction: most
    messages (a menu, a policy answer) need none, and opening one costs as much as a query.
    """

    def __init__(self, *, openid: str, connection: sa.Connection, clock: Clock,
                 conversation: Conversation, texts: Texts, settings: Settings, act: Act,
                 policies: PolicyEngine, bound_as: BoundAs | None) -> None:
        self.openid = openid
        self.connection = connection
        self.clock = clock
        self.conversation = conversation
        self.texts = texts
        self.settings = settings
        self._act = act
        self.policies = policies
        # Whom this user speaks for: as the claim read it, until a handler needs the ORM object.
        self._binding: Binding | BoundAs | None = bound_as
        self._closed = False

    def act(self, name: str, msg: Inbound) -> Reply:
        """Run the router's action `name` for msg (a menu number, a command said in a sentence)."""
        return self._act(name, msg, self)

    @cached_property
    def session(self) -> Session:
        """The ORM session, sharing the message's connection and transaction."""
        if self._closed:
            raise RuntimeError("the message's transaction is over; its context cannot open a session")
        # rollback_only: the session never commits; dispatch commits the message as a whole.
        return Session(bind=self.connection, join_transaction_mode="rollback_only", expire_on_commit=False)

    @property
    def binding(self) -> Binding | None:
        """Whom this user speaks for (as the retiree or as family), or None; in the session.

        Attached when first asked for, not when the session opens: most handlers that open it
        (an activity picked, a 留言) need only whom the user speaks for (on_behalf), and a
        Binding built and attached cost more than the session itself (add, flush, close)."""
        if isinstance(self._binding, BoundAs):
            self._binding = self._attached(self._binding)
        return self._binding

    def _attached(self, bound: BoundAs) -> Binding:
        """The binding the claim read, in the session: the one loaded there already, if a
        query has (two objects of one row cannot share a session), else one built as loaded."""
        session = self.session
        loaded = session.identity_map.get(sa.inspect(Binding).identity_key_from_primary_key((bound.id,)))
        if isinstance(loaded, Binding):
            return loaded
        binding = bound.binding()
        session.add(binding)
        return binding

    @binding.setter
    def binding(self, binding: Binding | None) -> None:
        self._binding = binding

    @property
    def bound(self) -> bool:
        """True when this user is bound to a retiree (answered without opening the session)."""
        return self._binding is not None

    def whose(self) -> str:
        """Whose matters they are, as said to the one asking: 「您」, or family's 「王德明同志」."""
        binding = self.binding
        return f"{binding.retiree.name}同志" if binding is not None and binding.is_agent else "您"

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

    def flush(self) -> Write | None:
        """Write the session's objects into the message's transaction; the conversation's
        change, for dispatch to send with the message's record (bot.conversation.record)."""
        if "session" in self.__dict__:
            self.session.flush()
        return self.conversation.write()

    def close(self) -> None:
        """Let go of the session, if one was opened (the transaction is dispatch's)."""
        self._closed = True
        session = self.__dict__.pop("session", None)
        if session is not None:
            session.close()
