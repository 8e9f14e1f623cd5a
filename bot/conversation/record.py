"""The inbound record: each delivery claimed once, read with its sender, then recorded whole with
what answered it — all in the message's own transaction.

The claim is a lock on the delivery, then one read that tells sender and retry apart; whoever
holds the lock is the only one who can record the delivery, so the record is inserted once, at
the end, with its answer. The lock:
- SQLite: the database's only write lock, which every transaction holds from its BEGIN (bot.db.engine);
- PostgreSQL: an advisory lock on the delivery's key for the transaction (a retry arriving while
  the first delivery is handled waits for it to commit, then reads its answer). The lock, the
  read and BEGIN go in one round trip, the conversation row's write (bot.conversation.steps), the
  record and COMMIT in another (bot.db.round_trips); the read and the record run prepared.
On SQLite both statements run on the driver directly (bot.db.direct): the lock is held meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

from bot.conversation.inbound import Inbound
from bot.db.direct import DirectStatement, Write
from bot.db.round_trips import Prepared, PreparedSelect, StatementWithCommit
from bot.models import Binding, ConversationState, InboundMessage, OutboxMessage, OutboxStatus
from bot.models.binding import AGENT

_TABLE = InboundMessage.__table__


class BoundAs:
    """The sender's binding as the claim read it: whom they speak for, at once; the ORM object
    (detached, attached by the message's session) only for a handler that asks for it — most
    messages need none, and building one cost a twentieth of a message's time in SQLite's lock."""

    __slots__ = ("_columns", "id", "is_agent", "retiree_id")

    def __init__(self, columns: dict[str, Any]) -> None:
        self.id: int = columns["id"]
        self.retiree_id: int = columns["retiree_id"]
        self.is_agent = columns["role"] == AGENT
        self._columns = columns

    def binding(self) -> Binding:
        """A new Binding of the row, as if loaded: a session takes it without a query."""
        binding = Binding(**self._columns)
        make_transient_to_detached(binding)
        return binding


class Sender(NamedTuple):
    """What every message needs to know about who sent it: whom they speak for, the step they
    are in, and whether notices wait in their mailbox."""

    bound_as: BoundAs | None
    step: str | None
    data: dict[str, Any]
    has_mail: bool
    lapsed: str | None = None  # the step that ran out lately, unanswered (LAPSED_WINDOW)
    lapsed_data: dict[str, Any] | None = None  # what that step had remembered


# Built once, plain columns read in the claim's own statement (bot.conversation.record runs them):
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
    _STATE.c.step, _STATE.c.data, _STATE.c.expires_at,
    sa.exists().where(_OUTBOX.c.recipient == _ME.c.openid,
                      _OUTBOX.c.status == OutboxStatus.MAILBOX).label("has_mail"))
SENDER_FROM = (
    _ME.outerjoin(_BINDINGS, sa.and_(_BINDINGS.c.openid == _ME.c.openid,
                                     _BINDINGS.c.unbound_at.is_(None)))
    .outerjoin(_STATE, _STATE.c.openid == _ME.c.openid))
# A step that ran out this long ago is still worth a word: 「好的」 an hour later must not seem to
# have confirmed it.
LAPSED_WINDOW = timedelta(hours=12)


def sender_from(row: Mapping[str, Any], now: datetime) -> Sender:
    """The Sender in a row of SENDER_COLUMNS (read with the message's claim, bot.conversation.record):
    a conversation past its time is none, its step remembered as lapsed for a while."""
    bound_as = None
    if row["binding_id"] is not None:
        bound_as = BoundAs({key: row[label] for key, label, _ in _BINDING_FIELDS})
    expires = row["expires_at"]
    if expires is not None and expires <= now:
        lapsed = row["step"] if now - expires < LAPSED_WINDOW else None
        remembered = dict(row["data"] or {}) if lapsed else None
        return Sender(bound_as, None, {}, bool(row["has_mail"]), lapsed, remembered)
    data = row["data"]
    return Sender(bound_as, row["step"], dict(data) if data else {}, bool(row["has_mail"]))


class Replayed(Exception):
    """The request's signed timestamp and nonce came with another delivery before: whoever sends
    it again copied a query string (in plain mode its signature does not cover the body)."""


@dataclass(frozen=True)
class Claim:
    """A delivery seen for the first time: who sent it, and its record's columns as received."""

    sender: Sender
    values: Mapping[str, Any]


def claim(conn: sa.Connection, msg: Inbound, now: datetime) -> Claim | None:
    """The claim on msg and its sender; None when this delivery was recorded before (a retry);
    Replayed when its request came with another delivery before.

    It must be the first statement of conn's transaction: on PostgreSQL it begins it."""
    params = {"openid": msg.openid, "now": now, "key": msg.dedupe_key, "request": msg.request or None}
    if conn.dialect.name == "postgresql":
        row = _READ_UNLESS_SEEN_PG.first_row_with_begin(conn, params, locking=msg.dedupe_key)
    else:
        row = _READ_UNLESS_SEEN_SQLITE.first_row(conn, params)
    if row["replayed"]:
        raise Replayed(msg.log_ref)
    if row["seen"]:
        return None
    values = {"dedupe_key": msg.dedupe_key, "request_key": msg.request or None,
              "openid": msg.openid, "msg_id": msg.msg_id or None,
              "msg_type": msg.kind, "event": msg.event or None,
              "text": msg.text or msg.event_key or None, "sent_at": msg.sent_at,
              "received_at": now}
    return Claim(sender_from(row, now), values)


def settle(conn: sa.Connection, claimed: Claim, *, route: str, reply_text: str | None,
           late: bool, retiree_id: int | None, by_agent: bool, first: Write | None = None) -> None:
    """Record the claimed delivery with what answered it, after `first`, the message's last
    write (its conversation row), if any.

    It must be the last statement of conn's transaction: on PostgreSQL it commits it, in the
    same round trip as `first` (most messages write their conversation row)."""
    record = {**claimed.values, "route": route, "reply_text": reply_text, "replied_late": late,
              "retiree_id": retiree_id, "by_agent": by_agent}
    if conn.dialect.name == "postgresql":
        _RECORD_PG.run_and_commit(conn, record, first)
        return
    if first is not None:
        first.run(conn)
    _RECORD_SQLITE.run(conn, record)


def recorded_reply(conn: sa.Connection, msg: Inbound) -> tuple[str | None, bool]:
    """(reply text, whether it was sent late) that the first delivery of msg got."""
    row = conn.execute(_STORED, {"key": msg.dedupe_key}).one()
    return row.reply_text, row.replied_late


# The sender's read and whether the delivery is already recorded; the record, whole.
_SEEN = sa.exists().where(_TABLE.c.dedupe_key == sa.bindparam("key")).label("seen")
_REPLAYED = sa.exists().where(_TABLE.c.request_key == sa.bindparam("request", type_=sa.String(80)),
                              _TABLE.c.dedupe_key != sa.bindparam("key")).label("replayed")
_READ_UNLESS_SEEN = sa.select(*SENDER_COLUMNS, _SEEN, _REPLAYED).select_from(SENDER_FROM)
_READ_UNLESS_SEEN_SQLITE = DirectStatement(_READ_UNLESS_SEEN)
_COLUMNS = ("dedupe_key", "request_key", "openid", "msg_id", "msg_type", "event", "text", "sent_at",
            "received_at", "route", "reply_text", "replied_late", "retiree_id", "by_agent")
_RECORD = sa.insert(_TABLE).values({key: sa.bindparam(key, type_=_TABLE.c[key].type)
                                    for key in _COLUMNS}).inline()  # no RETURNING: unused
# On PostgreSQL the record is prepared with the claim, in the claim's round trip.
_RECORD_PREPARED = Prepared("inbound_record", _RECORD)
_READ_UNLESS_SEEN_PG = PreparedSelect("inbound_claim", _READ_UNLESS_SEEN, alongside=(_RECORD_PREPARED,))
# A message that changed nothing but its own record (a question answered from the knowledge
# base, the menu) commits without waiting for PostgreSQL's disk flush, which took a fifth of
# each worker's time. Its answer has been given; a database crash just after could cost the log
# its line, and a retry would be answered the same. Whatever a handler wrote (a sign-up, a 留言,
# a binding, a pending step) makes its transaction wait for the disk as before.
_RECORD_PG = StatementWithCommit(_RECORD_PREPARED, flush_when_alone=False)
_RECORD_SQLITE = DirectStatement(_RECORD)
_STORED = sa.select(_TABLE.c.reply_text, _TABLE.c.replied_late).where(
    _TABLE.c.dedupe_key == sa.bindparam("key"))
