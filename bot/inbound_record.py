"""The inbound record: each delivery claimed once, read with its sender, then recorded whole with
what answered it — all in the message's own transaction.

The claim is a lock on the delivery, then one read that tells sender and retry apart; whoever
holds the lock is the only one who can record the delivery, so the record is inserted once, at
the end, with its answer. The lock:
- SQLite: the database's only write lock, which every transaction holds from its BEGIN (bot.db.engine);
- PostgreSQL: an advisory lock on the delivery's key for the transaction (a retry arriving while
  the first delivery is handled waits for it to commit, then reads its answer). The lock, the
  read and BEGIN go in one round trip, the record and COMMIT in another (bot.db.round_trips).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.context import SENDER_COLUMNS, SENDER_FROM, Sender, sender_from
from bot.db.round_trips import PreparedSelect, StatementWithCommit
from bot.inbound import Inbound
from bot.models import InboundMessage

_TABLE = InboundMessage.__table__


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
        row = conn.execute(_READ_UNLESS_SEEN, params).one()._mapping
    if row["replayed"]:
        raise Replayed(msg.log_ref)
    if row["seen"]:
        return None
    values = {"dedupe_key": msg.dedupe_key, "request_key": msg.request or None,
              "openid": msg.openid, "msg_id": msg.msg_id or None,
              "msg_type": msg.kind, "event": msg.event or None,
              "text": msg.text or msg.event_key or None, "sent_at": msg.sent_at,
              "received_at": now}
    return Claim(sender_from(row), values)


def settle(conn: sa.Connection, claimed: Claim, *, route: str, reply_text: str | None,
           late: bool, retiree_id: int | None, by_agent: bool) -> None:
    """Record the claimed delivery with what answered it.

    It must be the last statement of conn's transaction: on PostgreSQL it commits it."""
    record = {**claimed.values, "route": route, "reply_text": reply_text, "replied_late": late,
              "retiree_id": retiree_id, "by_agent": by_agent}
    if conn.dialect.name == "postgresql":
        _RECORD_PG.run_and_commit(conn, record)
    else:
        conn.execute(_RECORD, record)


def recorded_reply(conn: sa.Connection, msg: Inbound) -> tuple[str | None, bool]:
    """(reply text, whether it was sent late) that the first delivery of msg got."""
    row = conn.execute(_STORED, {"key": msg.dedupe_key}).one()
    return row.reply_text, row.replied_late


# The sender's read and whether the delivery is already recorded; the record, whole.
_SEEN = sa.exists().where(_TABLE.c.dedupe_key == sa.bindparam("key")).label("seen")
_REPLAYED = sa.exists().where(_TABLE.c.request_key == sa.bindparam("request", type_=sa.String(80)),
                              _TABLE.c.dedupe_key != sa.bindparam("key")).label("replayed")
_READ_UNLESS_SEEN = sa.select(*SENDER_COLUMNS, _SEEN, _REPLAYED).select_from(SENDER_FROM)
_READ_UNLESS_SEEN_PG = PreparedSelect("inbound_claim", _READ_UNLESS_SEEN)
_COLUMNS = ("dedupe_key", "request_key", "openid", "msg_id", "msg_type", "event", "text", "sent_at",
            "received_at", "route", "reply_text", "replied_late", "retiree_id", "by_agent")
_RECORD = sa.insert(_TABLE).values({key: sa.bindparam(key, type_=_TABLE.c[key].type)
                                    for key in _COLUMNS}).inline()  # no RETURNING: unused
# A message that changed nothing but its own record (a question answered from the knowledge
# base, the menu) commits without waiting for PostgreSQL's disk flush, which took a fifth of
# each worker's time. Its answer has been given; a database crash just after could cost the log
# its line, and a retry would be answered the same. Whatever a handler wrote (a sign-up, a 留言,
# a binding, a pending step) makes its transaction wait for the disk as before.
_RECORD_PG = StatementWithCommit(_RECORD, flush_when_alone=False)
_STORED = sa.select(_TABLE.c.reply_text, _TABLE.c.replied_late).where(
    _TABLE.c.dedupe_key == sa.bindparam("key"))
