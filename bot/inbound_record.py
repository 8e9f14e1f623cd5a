"""The inbound record: each delivery claimed once, read with its sender, then settled with what
answered it — all in the message's own transaction.

Two ways to the same guarantee, one per database, each the cheapest there:
- PostgreSQL: the record is inserted first (ON CONFLICT DO NOTHING waits for a concurrent
  retry's transaction), as a data-modifying CTE of the sender's read, sent with the BEGIN; the
  answer is an UPDATE sent with the COMMIT (bot.pg_round_trips): two round trips a message.
- SQLite: a transaction holds the only write lock from its BEGIN (bot.db), so nobody else can
  record the delivery meanwhile: one read tells sender and retry apart, and the record is
  inserted whole at the end — two statements a message instead of three.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from bot.context import SENDER_COLUMNS, SENDER_FROM, Sender, sender_from
from bot.inbound import Inbound
from bot.models import InboundMessage
from bot.pg_round_trips import PreparedSelect, StatementWithCommit

_TABLE = InboundMessage.__table__


@dataclass(frozen=True)
class Claim:
    """A delivery seen for the first time: who sent it, and how its record is to be settled."""

    sender: Sender
    values: Mapping[str, Any]  # the record's columns as received
    record_id: int | None  # PostgreSQL: the row inserted; SQLite: None until settled


def claim(conn: sa.Connection, msg: Inbound, now: datetime) -> Claim | None:
    """The claim on msg and its sender; None when this delivery was recorded before (a retry).

    It must be the first statement of conn's transaction: on PostgreSQL it begins it."""
    values = {"dedupe_key": msg.dedupe_key, "openid": msg.openid, "msg_id": msg.msg_id or None,
              "msg_type": msg.kind, "event": msg.event or None,
              "text": msg.text or msg.event_key or None, "sent_at": msg.sent_at,
              "received_at": now, "route": "pending", "reply_text": None, "replied_late": False,
              "retiree_id": None, "by_agent": False}
    assert values.keys() == set(_COLUMNS)  # both databases write exactly these columns
    if conn.dialect.name == "postgresql":
        params = {**_prefixed(values), "openid": msg.openid, "now": now}
        row = _CLAIM_AND_READ.first_row_with_begin(conn, params)
        if row["claimed_id"] is None:
            return None
        return Claim(sender_from(row), values, row["claimed_id"])
    row = conn.execute(_READ_UNLESS_SEEN, {"openid": msg.openid, "now": now,
                                           "key": msg.dedupe_key}).one()._mapping
    return None if row["seen"] else Claim(sender_from(row), values, None)


def settle(conn: sa.Connection, claimed: Claim, *, route: str, reply_text: str | None,
           late: bool, retiree_id: int | None, by_agent: bool) -> None:
    """Record what answered the claimed delivery.

    It must be the last statement of conn's transaction: on PostgreSQL it commits it."""
    answer = {"route": route, "reply_text": reply_text, "replied_late": late,
              "retiree_id": retiree_id, "by_agent": by_agent}
    if claimed.record_id is None:
        conn.execute(_RECORD, {**claimed.values, **answer})
    else:
        _SETTLE.run_and_commit(conn, {**answer, "record_id": claimed.record_id})


def recorded_reply(conn: sa.Connection, msg: Inbound) -> tuple[str | None, bool]:
    """(reply text, whether it was sent late) that the first delivery of msg got."""
    row = conn.execute(_STORED, {"key": msg.dedupe_key}).one()
    return row.reply_text, row.replied_late


def _prefixed(values: Mapping[str, Any]) -> dict[str, Any]:
    return {f"record_{key}": value for key, value in values.items()}


# The columns a claim writes, on either database (a new column keeps its default on both).
_COLUMNS = ("dedupe_key", "openid", "msg_id", "msg_type", "event", "text", "sent_at",
            "received_at", "route", "reply_text", "replied_late", "retiree_id", "by_agent")

# PostgreSQL: the INSERT as a data-modifying CTE of the sender's read. Its parameters are
# prefixed: the sender's read has its own `openid`.
_CLAIMED = (postgresql.insert(_TABLE)
            .values({_TABLE.c[key]: sa.bindparam(f"record_{key}", type_=_TABLE.c[key].type)
                     for key in _COLUMNS})
            .on_conflict_do_nothing(index_elements=[_TABLE.c.dedupe_key])
            .returning(_TABLE.c.id).cte("claimed"))
_CLAIM_AND_READ = PreparedSelect("inbound_claim", (
    sa.select(_CLAIMED.c.id.label("claimed_id"), *SENDER_COLUMNS)
    .select_from(SENDER_FROM.outerjoin(_CLAIMED, sa.true()))))
_SETTLE = StatementWithCommit(sa.update(_TABLE).where(_TABLE.c.id == sa.bindparam("record_id"))
                              .values(route=sa.bindparam("route"),
                                      reply_text=sa.bindparam("reply_text"),
                                      replied_late=sa.bindparam("replied_late"),
                                      retiree_id=sa.bindparam("retiree_id"),
                                      by_agent=sa.bindparam("by_agent")))

# SQLite: the sender's read, and whether this delivery is already recorded; the whole record.
# Safe only because bot.db begins every SQLite transaction holding the write lock.
_SEEN = sa.exists().where(_TABLE.c.dedupe_key == sa.bindparam("key")).label("seen")
_READ_UNLESS_SEEN = sa.select(*SENDER_COLUMNS, _SEEN).select_from(SENDER_FROM)
_RECORD = sa.insert(_TABLE)
_STORED = sa.select(_TABLE.c.reply_text, _TABLE.c.replied_late).where(
    _TABLE.c.dedupe_key == sa.bindparam("key"))
