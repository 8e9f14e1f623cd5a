"""Followers: created on first contact, marked active or inactive, never deleted."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.engine import upsert
from bot.models import Follower

_TABLE = Follower.__table__


class KnownFollowers:
    """The openids this process has seen committed, so a message from them skips the insert.

    Safe to keep in a process because follower rows are never deleted; it only saves work.
    """

    LIMIT = 200_000

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __contains__(self, openid: str) -> bool:
        return openid in self._seen

    def add(self, openid: str) -> None:
        """Remember openid (call only after the transaction that created it committed)."""
        if len(self._seen) >= self.LIMIT:
            self._seen.clear()
        self._seen.add(openid)


def touch(conn: sa.Connection, openid: str, now: datetime) -> None:
    """Create the follower on first contact (one prebuilt statement: it runs for every message)."""
    conn.execute(upsert(_TABLE, conn.dialect.name, "openid", ()),
                 {"openid": openid, "first_seen_at": now, "active": True, "followed_at": None,
                  "unfollowed_at": None, "bind_failures": 0, "bind_locked_until": None})


def mark_followed(follower: Follower, now: datetime) -> None:
    """The user (re)followed the account."""
    follower.active, follower.followed_at = True, now


def mark_unfollowed(follower: Follower, now: datetime) -> None:
    """The user unfollowed: keep everything, stop reaching out."""
    follower.active, follower.unfollowed_at = False, now


def without_unionid(session: Session, limit: int) -> list[str]:
    """Followers WeChat has not yet been asked the unionid of (newest first: they are the ones
    likely to open the mini-program next)."""
    return list(session.scalars(sa.select(Follower.openid).where(Follower.unionid.is_(None), Follower.active)
                                .order_by(Follower.first_seen_at.desc()).limit(limit)))


def record_unionids(session: Session, asked: list[str], found: dict[str, str]) -> None:
    """Keep what WeChat said: each follower's unionid, or "" where it gave none (asked, so not
    asked again every run)."""
    for openid in asked:
        session.execute(sa.update(Follower).where(Follower.openid == openid)
                        .values(unionid=found.get(openid, "")))
