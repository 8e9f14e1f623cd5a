"""Mini-program logins: a user by the openid WeChat's code2session gave, and our own session
token for them — random, kept only as a hash, good for `days` after its last use. A user whom
WeChat names by the same unionid as a chat follower is bound as that follower is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.accounts.binding import current
from bot.db.engine import dialect_insert
from bot.models import Binding, Follower, MiniGrant, MiniRead, MiniSession, MiniUser

SLIDE_AFTER = timedelta(minutes=5)  # a session's expiry moves at most this often (one write)
SAME_POPUP = timedelta(minutes=10)  # the client's report and WeChat's push of one subscribe panel


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
    adopt_chat_binding(session, user, now)
    token = secrets.token_urlsafe(32)
    login = MiniSession(token_hash=_hash(token), user_id=user.id, session_key=session_key,
                        created_at=now, expires_at=now + timedelta(days=days))
    session.add(login)
    session.flush()
    return token, login


def adopt_chat_binding(session: Session, user: MiniUser, now: datetime) -> Binding | None:
    """Bind an unbound user as the chat follower with the same unionid is bound (the same
    person, by WeChat's word), so they need not bind twice; the new binding, if any."""
    if not user.unionid or current(session, user) is not None:
        return None
    chat = session.scalar(sa.select(Binding).join(Follower, Follower.openid == Binding.openid)
                          .where(Follower.unionid == user.unionid, Binding.app == Follower.APP,
                                 Binding.unbound_at.is_(None)).order_by(Binding.bound_at.desc()))
    if chat is None:
        return None
    binding = Binding(openid=user.openid, app=user.APP, retiree_id=chat.retiree_id, role=chat.role,
                      relation=chat.relation, bound_at=now)
    session.add(binding)
    session.flush()
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


def record_grants(session: Session, user: MiniUser, template_ids: list[str], now: datetime, *,
                  source: str, long_term: bool = False) -> int:
    """Keep the subscribe-message grants the user just gave: each one-time grant allows one
    message of its template (the delivery engine spends them); how many new ones were kept.

    One panel may be reported twice, by the client ("client") and by WeChat's push ("event"):
    a grant the other one reported for that template within SAME_POPUP is the same, marked
    "both", not a second grant.
    """
    kept = 0
    for template_id in template_ids:
        twin = session.scalar(sa.select(MiniGrant).where(
            MiniGrant.user_id == user.id, MiniGrant.template_id == template_id, MiniGrant.used_at.is_(None),
            MiniGrant.source.not_in((source, "both")), MiniGrant.granted_at >= now - SAME_POPUP)
            .order_by(MiniGrant.id).limit(1))
        if twin is not None:
            twin.source = "both"
            continue
        session.add(MiniGrant(user_id=user.id, template_id=template_id, long_term=long_term, source=source,
                              granted_at=now))
        kept += 1
    session.flush()
    return kept


def withdraw_grants(session: Session, user: MiniUser, template_ids: list[str], now: datetime) -> int:
    """The user turned these templates off in the mini-program's settings: their unspent grants
    end; how many."""
    return session.execute(sa.update(MiniGrant).where(
        MiniGrant.user_id == user.id, MiniGrant.template_id.in_(template_ids), MiniGrant.used_at.is_(None))
        .values(used_at=now)).rowcount


def open_grants(session: Session, user: MiniUser) -> dict[str, int]:
    """Unspent grants by template: how many messages of each may be sent the user now."""
    rows = session.execute(sa.select(MiniGrant.template_id, sa.func.count()).where(
        MiniGrant.user_id == user.id, MiniGrant.used_at.is_(None)).group_by(MiniGrant.template_id))
    return {template_id: count for template_id, count in rows}


def spend_grant(session: Session, openid: str, template_id: str, now: datetime) -> bool:
    """Take one grant of the user's for this template to send one message: a long-term grant
    stays, a one-time grant is used up. False when none is left. One UPDATE … WHERE unused,
    so two senders at once can never spend one grant twice."""
    user_id = sa.select(MiniUser.id).where(MiniUser.openid == openid).scalar_subquery()
    unspent = (MiniGrant.user_id == user_id, MiniGrant.template_id == template_id,
               MiniGrant.used_at.is_(None))
    if session.scalar(sa.select(MiniGrant.id).where(*unspent, MiniGrant.long_term).limit(1)) is not None:
        return True
    while (grant_id := session.scalar(sa.select(MiniGrant.id).where(*unspent).order_by(MiniGrant.id)
                                      .limit(1))) is not None:
        spend = sa.update(MiniGrant).where(MiniGrant.id == grant_id, MiniGrant.used_at.is_(None))
        if session.execute(spend.values(used_at=now).execution_options(synchronize_session=False)).rowcount:
            return True  # else another sender took that one just now: try the next
    return False


def granted_templates(session: Session, openids: set[str] | list[str]) -> dict[str, set[str]]:
    """For each of these mini-program users, the templates they hold an unspent grant for."""
    rows = session.execute(sa.select(MiniUser.openid, MiniGrant.template_id).join(
        MiniGrant, MiniGrant.user_id == MiniUser.id).where(MiniUser.openid.in_(openids),
                                                            MiniGrant.used_at.is_(None)).distinct())
    found: dict[str, set[str]] = {}
    for openid, template_id in rows:
        found.setdefault(openid, set()).add(template_id)
    return found
