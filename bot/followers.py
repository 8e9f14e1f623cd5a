"""Followers: created on first contact, marked active or inactive, never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import insert_ignoring_conflict
from bot.models import Follower


def touch(session: Session, openid: str, now: datetime, *, wrote: bool) -> Follower:
    """The follower for openid, created if new; `wrote` marks a message (not an event)."""
    insert_ignoring_conflict(session, Follower, {"openid": openid, "first_seen_at": now,
                                                 "active": True})
    follower = session.get(Follower, openid)
    assert follower is not None  # inserted just above or already there
    if wrote:
        follower.last_message_at = now
    return follower


def mark_followed(follower: Follower, now: datetime) -> None:
    """The user (re)followed the account."""
    follower.active, follower.followed_at = True, now


def mark_unfollowed(follower: Follower, now: datetime) -> None:
    """The user unfollowed: keep everything, stop reaching out."""
    follower.active, follower.unfollowed_at = False, now
