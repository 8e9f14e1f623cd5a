"""Binding a WeChat account to a retiree: matching a name and phone digits, locks, unbinding."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Binding, Follower, Retiree

MAX_FAILURES = 3
LOCK = timedelta(hours=24)


def candidates(session: Session, name: str, digits: str) -> list[Retiree]:
    """Retirees on the roster with that name whose phone on file ends with those digits."""
    people = session.scalars(sa.select(Retiree).where(
        Retiree.name == name, Retiree.anonymised_at.is_(None), Retiree.phone.is_not(None)))
    return [p for p in people if (p.phone or "").replace("-", "").endswith(digits)]


def locked_until(follower: Follower, now: datetime) -> datetime | None:
    """When binding opens again for this follower, if it is locked now."""
    until = follower.bind_locked_until
    return until if until is not None and until > now else None


def record_failure(session: Session, follower: Follower, now: datetime) -> bool:
    """Count a wrong answer; True when it was the last allowed and binding is now locked.

    One UPDATE … RETURNING, so guesses sent at the same moment cannot each see the old count.
    """
    failures = session.execute(
        sa.update(Follower).where(Follower.openid == follower.openid)
        .values(bind_failures=Follower.bind_failures + 1).returning(Follower.bind_failures)
        .execution_options(synchronize_session=False)).scalar_one()
    if failures >= MAX_FAILURES:
        session.execute(sa.update(Follower).where(Follower.openid == follower.openid)
                        .values(bind_failures=0, bind_locked_until=now + LOCK)
                        .execution_options(synchronize_session=False))
    session.refresh(follower)
    return failures >= MAX_FAILURES


def failures_left(follower: Follower) -> int:
    """How many more wrong answers are allowed before the lock."""
    return MAX_FAILURES - follower.bind_failures


def bind(session: Session, follower: Follower, retiree: Retiree, now: datetime, *,
         relation: str | None) -> Binding:
    """Bind follower to retiree, as family when relation is given; resets the failure count."""
    follower.bind_failures, follower.bind_locked_until = 0, None
    binding = Binding(openid=follower.openid, retiree=retiree, retiree_id=retiree.id, bound_at=now,
                      role="agent" if relation else "self", relation=relation)
    session.add(binding)
    return binding


def unbind(binding: Binding, now: datetime) -> None:
    """End a binding; the row is kept for the record."""
    binding.unbound_at = now
