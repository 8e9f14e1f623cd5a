"""Mini-program logins: a user by the openid WeChat's code2session gave, and our own session
token for them — random, kept only as a hash, good for `days` after its last use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import MiniSession, MiniUser

SLIDE_AFTER = timedelta(minutes=5)  # a session's expiry moves at most this often (one write)


def open_session(session: Session, *, openid: str, unionid: str | None, session_key: str,
                 now: datetime, days: int) -> tuple[str, MiniSession]:
    """The user (created on their first login) and a new session for them; the token, which is
    returned once and never kept."""
    user = session.scalar(sa.select(MiniUser).where(MiniUser.openid == openid))
    if user is None:
        user = MiniUser(openid=openid, unionid=unionid, created_at=now, last_login_at=now)
        session.add(user)
        session.flush()
    user.last_login_at, user.unionid = now, unionid or user.unionid
    token = secrets.token_urlsafe(32)
    login = MiniSession(token_hash=_hash(token), user_id=user.id, session_key=session_key,
                        created_at=now, expires_at=now + timedelta(days=days))
    session.add(login)
    session.flush()
    return token, login


def user_of(session: Session, token: str, *, now: datetime, days: int) -> MiniUser | None:
    """The user a token belongs to while it is good; each use keeps it good `days` longer."""
    login = session.scalar(sa.select(MiniSession).where(MiniSession.token_hash == _hash(token),
                                                        MiniSession.expires_at > now))
    if login is None:
        return None
    if now + timedelta(days=days) - login.expires_at > SLIDE_AFTER:
        login.expires_at = now + timedelta(days=days)
    return session.get(MiniUser, login.user_id)


def close_session(session: Session, token: str) -> None:
    """Log out: the token stops working at once."""
    session.execute(sa.delete(MiniSession).where(MiniSession.token_hash == _hash(token)))


def remove_expired(session: Session, now: datetime) -> int:
    """Forget the sessions that have lapsed (each wx.login makes one); how many."""
    return session.execute(sa.delete(MiniSession).where(MiniSession.expires_at <= now)).rowcount


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
