"""The mailbox: messages no channel could deliver, shown at the top of the person's next reply."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.language.texts import Texts
from bot.models import OutboxMessage, OutboxStatus
from bot.wechat_api.rules import WECHAT_TEXT_LIMIT

_TABLE = OutboxMessage.__table__
# Built once: it runs for every message anyone sends us, and nearly always finds nothing.
_WAITING = (sa.select(_TABLE.c.id, _TABLE.c.payload)
            .where(_TABLE.c.recipient == sa.bindparam("openid"), _TABLE.c.status == OutboxStatus.MAILBOX)
            .order_by(_TABLE.c.created_at, _TABLE.c.id))


def with_mailbox(conn: sa.Connection, texts: Texts, openid: str, reply: str, now: datetime) -> str:
    """reply, preceded by what waits in openid's mailbox (as much as one WeChat message holds).

    What is shown is marked shown, in the caller's transaction; the rest waits for next time.
    """
    waiting = conn.execute(_WAITING, {"openid": openid}).all()
    if not waiting:
        return reply
    lines = [texts.get("mailbox.header", count=len(waiting))]
    room = WECHAT_TEXT_LIMIT - len(reply.encode()) - 200  # the header, divider and "more" lines
    shown: list[int] = []
    for message in waiting:
        item = texts.get("mailbox.item", number=len(shown) + 1, text=_text(message))
        if len(item.encode()) > room:
            break
        room -= len(item.encode()) + 1
        lines.append(item)
        shown.append(message.id)
    if len(shown) < len(waiting):
        lines.append(texts.get("mailbox.more", count=len(waiting) - len(shown)))
    if shown:
        conn.execute(sa.update(_TABLE).where(_TABLE.c.id.in_(shown))
                     .values(status=OutboxStatus.SHOWN, sent_at=now))
    return "\n".join([*lines, texts.get("mailbox.divider"), reply])


def _text(message: sa.Row) -> str:
    title = message.payload.get("title")
    return f"【{title}】{message.payload['text']}" if title else message.payload["text"]
