"""Where a user is in the conversation, stored per openid with an expiry so any worker can go on.

Three things are kept, all in one row that expires `conversation_ttl` after the last change:
- the step on screen: the question the last reply asked (a numbered offer, or a task such
  as the quiz, a sign-up waiting for its 「确认」, or binding);
- tasks kept beneath it, newest on top: when something else was said in the middle of a task
  (a policy question, an emergency, another task), the task keeps its place and comes back
  once that is answered;
- what the conversation remembers across steps (the study month chosen in 往期, what
  someone asked for before they had to bind).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bot.clock import Clock
from bot.db.direct import DirectStatement, Write
from bot.db.engine import upsert
from bot.models import ConversationState

_TABLE = ConversationState.__table__
# Run on SQLite's driver directly, like the upsert: it ends a step, inside the message's write lock.
_FORGET = DirectStatement(sa.delete(_TABLE).where(_TABLE.c.openid == sa.bindparam("openid")))


@functools.cache
def _save(dialect_name: str) -> DirectStatement:
    """The row's upsert, written on SQLite's driver directly: most messages write it."""
    return DirectStatement(upsert(_TABLE, dialect_name, "openid", ("step", "data", "expires_at")))
_KEPT, _MEMORY = "_kept", "_memory"  # reserved keys in the stored data
MAX_KEPT = 3  # tasks kept beneath the step on screen; an older one is let go


@dataclass(frozen=True)
class Frame:
    """One step and what it remembered (e.g. the options that were shown)."""

    step: str
    data: dict[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        """The frame as kept in the row's JSON."""
        return {"step": self.step, "data": self.data}


class Conversation:
    """Read and change one openid's conversation; stored once, by the statement `write` gives, at
    the message's end.

    Handlers use `step`, `data`, `expect`, `clear` and `offer` on the step on screen; the
    router alone moves tasks beneath and back (`frame`, `restore`, `keep`, `take_kept`).
    """

    def __init__(self, conn: sa.Connection, openid: str, clock: Clock, ttl: int, step: str | None,
                 data: dict[str, Any], lapsed: str | None = None,
                 lapsed_data: dict[str, Any] | None = None) -> None:
        """step and data: the unexpired row as read with the rest (bot.conversation.record.claim);
        lapsed and lapsed_data: the step of a row that ran out lately (its row is still there), and
        what it had remembered."""
        self._conn = conn
        self._openid = openid
        self._clock = clock
        self._ttl = ttl
        stored = dict(data)
        kept = stored.pop(_KEPT, None) or []
        self._memory: dict[str, Any] = dict(stored.pop(_MEMORY, None) or {})
        self._kept: list[Frame] = [Frame(k["step"], k.get("data") or {}) for k in kept]
        self._top: Frame | None = Frame(step, stored) if step else None
        if self._top is None and self._kept:  # nothing on screen: the newest kept task is
            self._top = self._kept.pop()
        self._aside: list[Frame] = []  # what set_aside cleared, until put_back
        self._had_row = step is not None or bool(data) or lapsed is not None
        self.lapsed = lapsed  # a step that ran out unanswered lately: 「好的」 now is told so
        self._lapsed_data = {k: v for k, v in (lapsed_data or {}).items() if k not in (_KEPT, _MEMORY)}
        self._lapsed_changed = False
        self._changed = False
        self.quiet = False  # a task waits: add-on offers (related topics, the menu) are not made

    @property
    def step(self) -> str | None:
        """The step on screen, or None when there is none or it has expired."""
        return self._top.step if self._top else None

    @property
    def data(self) -> dict[str, Any]:
        """What the step on screen remembered."""
        return dict(self._top.data) if self._top else {}

    def lapse_told(self) -> None:
        """The user has been told the step ran out: its row goes."""
        self.lapsed, self._changed = None, True

    def take_up_lapsed(self) -> str | None:
        """Put the step that ran out lately back on screen, with what it remembered; its name.
        Nothing else may be on screen."""
        step = self.lapsed
        if step is not None:
            self._lapsed_changed = self._changed
            self._top, self.lapsed, self._changed = Frame(step, dict(self._lapsed_data)), None, True
        return step

    def leave_lapsed(self, step: str) -> None:
        """Undo take_up_lapsed(): its handler did not take the message."""
        self._top, self.lapsed, self._changed = None, step, self._lapsed_changed

    def expect(self, step: str, data: dict[str, Any] | None = None) -> None:
        """Wait for the user's next message to answer `step`."""
        self._top = Frame(step, dict(data or {}))
        self._changed = True

    def clear(self) -> None:
        """The step on screen is done (a task kept beneath it stays, for the router)."""
        if self._top is not None:
            self._top = None
            self._changed = True

    def offer(self, step: str, data: dict[str, Any] | None = None) -> bool:
        """Offer numbered choices on top of an answer; False (nothing offered) while a task waits,
        so the last numbers the user reads are the task's."""
        if self.quiet:
            return False
        self.expect(step, data)
        return True

    def frame(self) -> Frame | None:
        """The step on screen as a frame."""
        return self._top

    def restore(self, frame: Frame | None) -> None:
        """Put frame back on screen."""
        self._top = frame
        self._changed = True

    @property
    def kept(self) -> Frame | None:
        """The newest task kept beneath the step on screen."""
        return self._kept[-1] if self._kept else None

    def keep(self, frame: Frame | None) -> None:
        """Keep a task beneath the step on screen, on top of those kept already."""
        if frame is not None:
            self._kept = [*self._kept, frame][-MAX_KEPT:]
            self._changed = True

    def take_kept(self) -> Frame | None:
        """The newest kept task, no longer kept."""
        if not self._kept:
            return None
        self._changed = True
        return self._kept.pop()

    def set_aside(self) -> tuple[Frame | None, list[Frame]]:
        """Clear the step on screen and every kept task; what they were, to put back."""
        aside = (self._top, list(self._kept))
        if self._top is not None or self._kept:
            self._aside = [f for f in (self._top, *self._kept) if f is not None]
            self._top, self._kept = None, []
            self._changed = True
        return aside

    def put_back(self, on_screen: Frame | None, kept: list[Frame]) -> None:
        """Undo set_aside."""
        self._top, self._kept, self._aside = on_screen, list(kept), []
        self._changed = True

    @property
    def in_hand(self) -> list[Frame]:
        """Every step begun and not done: on screen, kept, or set aside while something else is
        answered (a report made half way through binding is told whom the binding named)."""
        return [f for f in (self._top, *self._kept, *self._aside) if f is not None]

    def remember(self, key: str, value: Any) -> None:
        """Remember value across steps until the conversation expires."""
        if self._memory.get(key) != value:
            self._memory[key] = value
            self._changed = True

    def recall(self, key: str) -> Any:
        """What was remembered under key, or None."""
        return self._memory.get(key)

    def forget(self, key: str) -> None:
        """Forget what was remembered under key."""
        if self._memory.pop(key, None) is not None:
            self._changed = True

    def reset(self) -> None:
        """Start afresh: no step, no kept task (what was remembered stays); nothing is in hand."""
        self.set_aside()
        self._aside = []

    def write(self) -> Write | None:
        """The one statement that stores the changes, with its parameters (None when nothing
        changed); from then on they count as stored: the caller runs it in this message's
        transaction (bot.conversation.record sends it with the message's record)."""
        if not self._changed:
            return None
        self._changed = False
        if self._top is None and not self._kept and not self._memory:
            if not self._had_row:
                return None
            self._had_row = False
            return Write(_FORGET, {"openid": self._openid})
        data = dict(self._top.data) if self._top else {}
        if self._kept:
            data[_KEPT] = [frame.stored() for frame in self._kept]
        if self._memory:
            data[_MEMORY] = dict(self._memory)
        values = {"openid": self._openid, "step": self.step, "data": data,
                  "expires_at": self._clock.now() + timedelta(seconds=self._ttl)}
        self._had_row = True
        return Write(_save(self._conn.dialect.name), values)
