"""Mini-program logins: a user by the openid WeChat's code2session gave, and our own session
token for them — random, kept only as a hash, good for `days` after its last use. A user whom
WeChat names by the same unionid as a chat follower is bound as that follower is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.accounts.binding import current
from bot.db.engine import dialect_insert
from bot.models import Binding, Follower, MiniRead, MiniSession, MiniUser

SLIDE_AFTER = timedelta(minutes=5)  # a session's expiry moves at most this often (one write)


def open_session(session: Session, *, openid: str, unionid: str | None, session_key: str,
                 now: datetime, days: int) -> tuple[str, MiniSession]:
    """The user (created on their first login) and a new session for them; the token, which is
    returned once and never kept."""
    user = session.scalar(sa.select(MiniUser).where(MiniUser.openid == openid))
    if user is None:  # a first login: two at once (a double tap) make one user, not an error
        table = MiniUser.__table__
        session.execute(dialect_insert(session.connection())(table).values(
            openid=openid, unionid=unionid, font_scale=100, bind_failures=0, created_at=now,
            last_login_at=now).on_conflict_do_nothing(index_elements=[table.c.openid]))
        user = session.scalars(sa.select(MiniUser).where(MiniUser.openid == openid)).one()
    user.last_login_at, user.unionid = now, unionid or user.unionid
    adopt_chat_binding(session, user, now)
    token = secrets.token_urlsafe(32)
    login = MiniSession(token_hash=_hash(token), user_id=user.id, session_key=session_key,
                        created_at=now, expires_at=now + timedelta(days=days))
    session.add(login)
    session.flush()
    return token, login


def adopt_chat_binding(session: Session, user: MiniUser, now: datetime) -> Binding | None:
    """Bind a user who has never bound here as the chat follower with the same unionid is bound
    (the same person, by WeChat's word), so they need not bind twice; the new binding, if any."""
    if not user.unionid or session.scalar(sa.select(Binding.id).where(Binding.openid == user.openid)
                                          .limit(1)) is not None:
        return None  # bound here already, or once and then unbound: their own choice stands
    chat = session.scalar(sa.select(Binding).join(Follower, Follower.openid == Binding.openid)
                          .where(Follower.unionid == user.unionid, Binding.app == Follower.APP,
                                 Binding.unbound_at.is_(None)).order_by(Binding.bound_at.desc()))
    if chat is None:
        return None
    binding = Binding(openid=user.openid, app=user.APP, retiree_id=chat.retiree_id, role=chat.role,
                      relation=chat.relation, bound_at=now)
    try:
        with session.begin_nested():  # two first calls at once: the second finds the first's
            session.add(binding)
    except IntegrityError:
        return current(session, user)
    return binding


def binding_of(session: Session, user: MiniUser, now: datetime) -> Binding | None:
    """The user's binding in force: their own, or the chat's when WeChat has since told us the
    unionid of their chat account."""
    return current(session, user) or adopt_chat_binding(session, user, now)


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


def mark_read(session: Session, user: MiniUser, outbox_id: int, now: datetime) -> None:
    """The user opened a message in 我的通知 (once is enough: a second time changes nothing)."""
    table = MiniRead.__table__
    session.execute(dialect_insert(session.connection())(table)
                    .values(user_id=user.id, outbox_id=outbox_id, read_at=now)
                    .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.outbox_id]))


def read_among(session: Session, user: MiniUser, outbox_ids: list[int]) -> set[int]:
    """Which of these messages the user has opened."""
    return set(session.scalars(sa.select(MiniRead.outbox_id).where(MiniRead.user_id == user.id,
                                                                    MiniRead.outbox_id.in_(outbox_ids))))
