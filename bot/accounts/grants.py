"""Subscription grants, for either app: kept from what the person chose in a subscribe panel (as
the client reports it or WeChat pushes it), ended when they turn a template off, spent by the
delivery engine one message each (a long-term grant is never used up)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import SubscribeGrant

SAME_POPUP = timedelta(minutes=10)  # the client's report and WeChat's push of one subscribe panel


def record_grants(session: Session, openid: str, app: str, template_ids: list[str], now: datetime, *,
                  source: str, long_term: bool = False) -> int:
    """Keep the grants the person just gave; how many new ones were kept.

    One panel may be reported twice, by the client ("client") and by WeChat's push ("event"):
    a grant the other one reported for that template within SAME_POPUP is the same, marked
    "both", not a second grant.
    """
    kept = 0
    for template_id in template_ids:
        twin = session.scalar(sa.select(SubscribeGrant).where(
            *_unspent(openid, template_id), SubscribeGrant.source.not_in((source, "both")),
            SubscribeGrant.granted_at >= now - SAME_POPUP).order_by(SubscribeGrant.id).limit(1))
        if twin is not None:
            twin.source = "both"
            continue
        session.add(SubscribeGrant(openid=openid, app=app, template_id=template_id, long_term=long_term,
                                   source=source, granted_at=now))
        kept += 1
    session.flush()
    return kept


def withdraw_grants(session: Session, openid: str, template_ids: list[str], now: datetime) -> int:
    """The person turned these templates off: their unspent grants end; how many."""
    return session.execute(sa.update(SubscribeGrant).where(
        SubscribeGrant.openid == openid, SubscribeGrant.template_id.in_(template_ids),
        SubscribeGrant.used_at.is_(None)).values(used_at=now)).rowcount


def open_grants(session: Session, openid: str) -> dict[str, int]:
    """Unspent grants by template: how many messages of each may be sent the person now."""
    rows = session.execute(sa.select(SubscribeGrant.template_id, sa.func.count())
                           .where(SubscribeGrant.openid == openid, SubscribeGrant.used_at.is_(None))
                           .group_by(SubscribeGrant.template_id))
    return {template_id: count for template_id, count in rows}


def spend_grant(session: Session, openid: str, template_id: str, now: datetime) -> int | None:
    """Take one grant of the person's for this template to send one message: a long-term grant
    stays, a one-time grant is used up; the grant's id, or None when none is left. One UPDATE …
    WHERE unused, so two senders at once can never spend one grant twice."""
    lasting = session.scalar(sa.select(SubscribeGrant.id).where(*_unspent(openid, template_id),
                                                                SubscribeGrant.long_term).limit(1))
    if lasting is not None:
        return lasting
    while (grant_id := session.scalar(sa.select(SubscribeGrant.id).where(*_unspent(openid, template_id))
                                      .order_by(SubscribeGrant.id).limit(1))) is not None:
        spend = (sa.update(SubscribeGrant)
                 .where(SubscribeGrant.id == grant_id, SubscribeGrant.used_at.is_(None))
                 .values(used_at=now).execution_options(synchronize_session=False))
        if session.execute(spend).rowcount:
            return grant_id  # else another sender took that one just now: try the next
    return None


def give_back(session: Session, grant_id: int) -> None:
    """WeChat refused the message outright (a field, a page, a rate limit): the one-time grant it
    was spent on was not used, and is the person's again."""
    session.execute(sa.update(SubscribeGrant)
                    .where(SubscribeGrant.id == grant_id, SubscribeGrant.long_term.is_(False))
                    .values(used_at=None).execution_options(synchronize_session=False))


def granted_templates(session: Session, openids: set[str] | list[str]) -> dict[str, set[str]]:
    """For each of these people, the templates they hold an unspent grant for."""
    rows = session.execute(sa.select(SubscribeGrant.openid, SubscribeGrant.template_id).where(
        SubscribeGrant.openid.in_(openids), SubscribeGrant.used_at.is_(None)).distinct())
    found: dict[str, set[str]] = {}
    for openid, template_id in rows:
        found.setdefault(openid, set()).add(template_id)
    return found


def _unspent(openid: str, template_id: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (SubscribeGrant.openid == openid, SubscribeGrant.template_id == template_id,
            SubscribeGrant.used_at.is_(None))
