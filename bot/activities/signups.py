"""Signing up, withdrawing and the waitlist: capacity is never exceeded, nobody is in twice.

Every change to an activity's seats happens with the activity row locked (PostgreSQL: SELECT …
FOR UPDATE; SQLite: every write transaction already queues on the database's file lock), so
two replies at the same moment are decided one after the other, in arrival order. A unique
index on live sign-ups is the last guard against a person holding two.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.delivery import outbox
from bot.delivery.audience import resolve
from bot.delivery.templates import addressed
from bot.models import Activity, ActivityStatus, Group, GroupMember, Retiree, Signup, SignupStatus

LIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITING)
# The statements a sign-up's every step runs, built once with their values as parameters:
# building one afresh (its clauses, then its cache key) cost SQLAlchemy 70-100 µs, several
# times what running it costs, and on SQLite all of it inside the write lock every message queues on.
# Whether the person has died and the groups they are in, in one statement (a row per group; one
# with no group when in none; no row for nobody): on PostgreSQL each statement is a round trip.
_DIED_ON_AND_GROUPS = (sa.select(Retiree.died_on, Group.name).select_from(Retiree)
                       .outerjoin(GroupMember, GroupMember.retiree_id == Retiree.id)
                       .outerjoin(Group, Group.id == GroupMember.group_id)
                       .where(Retiree.id == sa.bindparam("retiree_id")))
_OPEN_NOW = (sa.select(Activity)
             .where(Activity.status == ActivityStatus.OPEN, Activity.deadline > sa.bindparam("now"))
             .order_by(Activity.starts_at))
# open_now's and closed_to_come's together (upcoming): not cancelled, and still to take place or open.
_UPCOMING = (sa.select(Activity)
             .where(Activity.status != ActivityStatus.CANCELLED,
                    (Activity.starts_at > sa.bindparam("now"))
                    | ((Activity.status == ActivityStatus.OPEN) & (Activity.deadline > sa.bindparam("now"))))
             .order_by(Activity.starts_at))
# Seats taken and the waitlist's length in one statement: a pick and a sign-up need both, and
# whether the person holds a live sign-up for it (at most one: a unique index says so), its id.
_TAKEN = sa.func.coalesce(sa.func.sum(Signup.seats).filter(Signup.status == SignupStatus.CONFIRMED), 0)
_QUEUE = sa.func.count().filter(Signup.status == SignupStatus.WAITING)
_LIVE_OF_ACTIVITY = (Signup.activity_id == sa.bindparam("activity_id"), Signup.status.in_(LIVE))
_PLACES = sa.select(_TAKEN, _QUEUE).where(*_LIVE_OF_ACTIVITY)
_PLACES_AND_MINE = sa.select(
    _TAKEN, _QUEUE, sa.func.max(Signup.id).filter(Signup.retiree_id == sa.bindparam("retiree_id")),
).where(*_LIVE_OF_ACTIVITY)
_WAITING_AHEAD = sa.select(sa.func.count()).select_from(Signup).where(
    Signup.activity_id == sa.bindparam("activity_id"), Signup.status == SignupStatus.WAITING,
    Signup.id < sa.bindparam("signup_id"))
_LIVE_SIGNUP = sa.select(Signup).where(
    Signup.activity_id == sa.bindparam("activity_id"), Signup.retiree_id == sa.bindparam("retiree_id"),
    Signup.status.in_(LIVE))
_LOCKED = (sa.select(Activity).where(Activity.id == sa.bindparam("activity_id"))
           .with_for_update().execution_options(populate_existing=True))


class Refusal(enum.StrEnum):
    """Why a sign-up or a withdrawal cannot be done (each has its own kind sentence)."""

    CLOSED = "closed"
    CANCELLED = "cancelled"
    DEADLINE = "deadline"
    NOT_ELIGIBLE = "not_eligible"
    DECEASED = "deceased"  # the retiree has died (staff recorded it): no sign-up is made for them
    ALREADY = "already"
    NO_COMPANION = "no_companion"
    TOO_LATE_TO_WITHDRAW = "too_late_to_withdraw"
    NOT_FOUND = "not_found"
    NO_SEAT_FOR_COMPANION = "no_seat_for_companion"  # a companion added later: no seat free for them


class SignupRefused(Exception):
    """The change was not made; `reason` says why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    """A sign-up as it now stands, with the waitlist position when waiting."""

    signup: Signup
    position: int | None = None


def eligible(session: Session, retiree_id: int, now: datetime,
             open_ones: list[Activity] | None = None) -> list[Activity]:
    """Open activities this retiree may join whose deadline has not passed, soonest first; none
    for someone who has died. open_ones: open_now's, when read already."""
    # Columns, not the whole person as an object: 报名 and an activity named ask it.
    rows = session.execute(_DIED_ON_AND_GROUPS, {"retiree_id": retiree_id}).all()
    if not rows or rows[0].died_on is not None:
        return []
    groups = {row.name for row in rows if row.name is not None}
    if open_ones is None:
        open_ones = open_now(session, now)
    return [a for a in open_ones if a.for_everyone or groups & set(a.groups)]


def closed_to_come(session: Session, now: datetime) -> list[Activity]:
    """Activities still to take place that take no more sign-ups (their deadline passed, or
    staff stopped them), soonest first."""
    closed = (Activity.deadline <= now) | (Activity.status == ActivityStatus.CLOSED)
    return list(session.scalars(sa.select(Activity).where(
        Activity.status != ActivityStatus.CANCELLED, Activity.starts_at > now, closed)
        .order_by(Activity.starts_at)))


class Upcoming(NamedTuple):
    """The activities a sentence may name: those open now (open_now's) and those still to take
    place that take no more sign-ups (closed_to_come's), each soonest first."""

    open: list[Activity]
    closed: list[Activity]


def upcoming(session: Session, now: datetime) -> Upcoming:
    """open_now's and closed_to_come's activities, read in one statement: a sentence that names
    no open activity is asked about the closed ones next (on PostgreSQL each statement is a
    round trip, and every message the matchers before it leave comes there)."""
    rows = session.scalars(_UPCOMING, {"now": now})
    return Upcoming(*_split(rows, now))


def _split(rows: Iterable[Activity], now: datetime) -> tuple[list[Activity], list[Activity]]:
    opened: list[Activity] = []
    closed: list[Activity] = []
    for a in rows:
        if a.status == ActivityStatus.OPEN and a.deadline > now:
            opened.append(a)
        if a.starts_at > now and (a.deadline <= now or a.status == ActivityStatus.CLOSED):
            closed.append(a)
    return opened, closed


def open_now(session: Session, now: datetime) -> list[Activity]:
    """Every activity open for sign-ups whose deadline has not passed, soonest first."""
    return list(session.scalars(_OPEN_NOW, {"now": now}))


class Places(NamedTuple):
    """An activity's seats not yet taken by confirmed sign-ups, and how many wait for one."""

    left: int
    waiting: int


def places(session: Session, activity: Activity) -> Places:
    """Seats left and the waitlist's length, read together."""
    taken, waiting = session.execute(_PLACES, {"activity_id": activity.id}).one()
    return Places(max(activity.capacity - int(taken), 0), int(waiting))


def places_and_mine(session: Session, activity: Activity, retiree_id: int) -> tuple[Places, int | None]:
    """Seats left and the waitlist's length, and the id of the retiree's live sign-up for the
    activity (None when they hold none), read together: a pick and a sign-up ask both."""
    taken, waiting, mine = session.execute(
        _PLACES_AND_MINE, {"activity_id": activity.id, "retiree_id": retiree_id}).one()
    return Places(max(activity.capacity - int(taken), 0), int(waiting)), mine


def seats_left(session: Session, activity: Activity) -> int:
    """Seats not yet taken by confirmed sign-ups."""
    return places(session, activity).left


def waiting_position(session: Session, signup: Signup) -> int:
    """1 for the first on the waitlist."""
    ahead = session.scalar(_WAITING_AHEAD, {"activity_id": signup.activity_id, "signup_id": signup.id})
    return int(ahead or 0) + 1


def sign_up(session: Session, activity_id: int, retiree_id: int, *, openid: str, by_agent: bool,
            companion: bool, now: datetime, by_staff: bool = False) -> Outcome:
    """A place if the seats allow, else a place on the waitlist; SignupRefused otherwise.

    A clerk (by_staff) may still sign someone up after the deadline: it stops the chat, while a
    clerk on the phone knows whether the bus has room. Seats and the waitlist are the same.
    """
    activity = _locked(session, activity_id)
    _check_open(session, activity, retiree_id, now, by_staff=by_staff)
    if companion and not activity.companion_seats:
        raise SignupRefused(Refusal.NO_COMPANION)
    (left, queue), held = places_and_mine(session, activity, retiree_id)
    if held is not None:
        raise SignupRefused(Refusal.ALREADY)
    seats = 1 + (activity.companion_seats if companion else 0)
    # Someone already waits: a newcomer waits behind them even if a seat looks free.
    waiting = queue > 0 or left < seats
    signup = Signup(activity_id=activity_id, retiree_id=retiree_id, openid=openid, by_agent=by_agent,
                    by_staff=by_staff, companion=companion, seats=seats, created_at=now,
                    status=SignupStatus.WAITING if waiting else SignupStatus.CONFIRMED)
    session.add(signup)
    session.flush()
    # The activity in hand, as the sign-up's: read again otherwise when its answer names it (the
    # session holds an object only while something refers to it). Set as loaded, without events.
    set_committed_value(signup, "activity", activity)
    return Outcome(signup, waiting_position(session, signup) if waiting else None)


def sign_up_by_staff(session: Session, activity_id: int, retiree_id: int, *, companion: bool,
                     now: datetime) -> Outcome:
    """A clerk's sign-up for someone who phoned in, told on the WeChat account the office
    reaches them by (their own, else family's), or on none when nobody is bound."""
    account = next(iter(resolve(session, f"retiree:{retiree_id}").recipients), None)
    return sign_up(session, activity_id, retiree_id, openid=account.openid if account else "",
                   by_agent=False, companion=companion, now=now, by_staff=True)


def withdraw(session: Session, signup_id: int, retiree_id: int, now: datetime, *,
             by_staff: bool = False) -> list[Signup]:
    """Cancel one's own sign-up (until the activity's cut-off; staff, at any time, after a
    call); returns whoever was promoted."""
    signup, activity = _own_live(session, signup_id, retiree_id)
    if signup.status == SignupStatus.CONFIRMED and now > activity.cancel_until and not by_staff:
        raise SignupRefused(Refusal.TOO_LATE_TO_WITHDRAW)
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
    session.flush()
    return promote(session, activity, now)


def change_companion(session: Session, signup_id: int, retiree_id: int, companion: bool,
                     now: datetime, *, by_staff: bool = False) -> list[Signup]:
    """Bring a companion after all, or no longer, on one's own live sign-up; returns whoever else
    was promoted (a sign-up waiting for two that now fits moves up too: its own answer says so, as
    no 「有人取消」 news would). No longer: the seat freed goes to the waitlist (until the cut-off,
    as a withdrawal).
    After all: before the deadline, where companions may come, and with a seat free that nobody
    waits for (a sign-up still waiting just waits for two). A clerk after a call (by_staff) is
    held to neither date, as when signing up or withdrawing; the seats are the same."""
    signup, activity = _own_live(session, signup_id, retiree_id)
    if signup.companion == companion:
        return []
    if not companion:
        if signup.status == SignupStatus.CONFIRMED and now > activity.cancel_until and not by_staff:
            raise SignupRefused(Refusal.TOO_LATE_TO_WITHDRAW)
        signup.companion, signup.seats = False, 1
        session.flush()
        return [moved for moved in promote(session, activity, now) if moved.id != signup.id]
    _check_open(session, activity, retiree_id, now, by_staff=by_staff)
    if not activity.companion_seats:
        raise SignupRefused(Refusal.NO_COMPANION)
    left, queue = places(session, activity)
    if signup.status == SignupStatus.CONFIRMED and (queue > 0 or left < activity.companion_seats):
        raise SignupRefused(Refusal.NO_SEAT_FOR_COMPANION)
    signup.companion, signup.seats = True, 1 + activity.companion_seats
    session.flush()
    return []


def promote(session: Session, activity: Activity, now: datetime) -> list[Signup]:
    """Give freed seats to the waitlist in order (the head only, so nobody is passed over).

    The caller tells each promoted person (bot.activities.notify.tell_promoted).
    """
    promoted = []
    left = seats_left(session, activity)
    for head in session.scalars(sa.select(Signup).join(Retiree, Retiree.id == Signup.retiree_id).where(
            Signup.activity_id == activity.id, Signup.status == SignupStatus.WAITING,
            Retiree.died_on.is_(None)).order_by(Signup.id)):  # someone who has died since takes no seat
        if head.seats > left:
            break
        head.status, head.promoted_at = SignupStatus.CONFIRMED, now
        left -= head.seats
        promoted.append(head)
    session.flush()
    return promoted


def live_signup(session: Session, activity_id: int, retiree_id: int) -> Signup | None:
    """The retiree's confirmed or waiting sign-up for the activity, if any."""
    return session.scalar(_LIVE_SIGNUP, {"activity_id": activity_id, "retiree_id": retiree_id})


def mine(session: Session, retiree_id: int, now: datetime) -> list[Signup]:
    """The retiree's live sign-ups for activities still to come, soonest first."""
    return list(session.scalars(sa.select(Signup).join(Activity).where(
        Signup.retiree_id == retiree_id, Signup.status.in_(LIVE), Activity.starts_at > now,
        Activity.status != ActivityStatus.CANCELLED).order_by(Activity.starts_at)))


def tell(session: Session, signup: Signup, *, key: str, text: str, now: datetime) -> None:
    """Queue a message about a sign-up to whoever made it, once per key (nobody, for a clerk's
    sign-up for someone with no WeChat bound: staff phone them)."""
    if not signup.openid:
        return
    if signup.by_agent and (person := session.get(Retiree, signup.retiree_id)) is not None:
        text = addressed(text, person.name)  # 「您已从候补补上了」 is the elder's news, not the daughter's
    outbox.enqueue(session, recipient=signup.openid, retiree_id=signup.retiree_id, now=now,
                   dedupe_key=key, text=text, kind="activity", title=signup.activity.title)


def lock(session: Session, activity_id: int) -> Activity:
    """The activity, locked until the transaction ends, so its seats change one at a time."""
    return _locked(session, activity_id)


def _own_live(session: Session, signup_id: int, retiree_id: int) -> tuple[Signup, Activity]:
    """The retiree's own live sign-up and its activity, locked, the sign-up read again under the
    lock; NOT_FOUND when it is not theirs or no longer live."""
    signup = session.get(Signup, signup_id)
    if signup is None or signup.retiree_id != retiree_id or signup.status not in LIVE:
        raise SignupRefused(Refusal.NOT_FOUND)
    activity = _locked(session, signup.activity_id)
    session.refresh(signup)
    if signup.status not in LIVE:
        raise SignupRefused(Refusal.NOT_FOUND)
    return signup, activity


def _locked(session: Session, activity_id: int) -> Activity:
    activity = session.scalar(_LOCKED, {"activity_id": activity_id})
    if activity is None:
        raise SignupRefused(Refusal.NOT_FOUND)
    return activity


def _check_open(session: Session, activity: Activity, retiree_id: int, now: datetime, *,
                by_staff: bool = False) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise SignupRefused(Refusal.CANCELLED)
    if activity.status == ActivityStatus.CLOSED:
        raise SignupRefused(Refusal.CLOSED)
    if now > activity.deadline and not by_staff:
        raise SignupRefused(Refusal.DEADLINE)
    person = session.get(Retiree, retiree_id)
    if person is None:
        raise SignupRefused(Refusal.NOT_ELIGIBLE)
    if person.died_on is not None:
        raise SignupRefused(Refusal.DECEASED)
    if not activity.for_everyone and not _in_groups(session, retiree_id, activity.groups):
        raise SignupRefused(Refusal.NOT_ELIGIBLE)


def _in_groups(session: Session, retiree_id: int, names: list[str]) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(GroupMember).join(Group).where(
        GroupMember.retiree_id == retiree_id, Group.name.in_(names))) > 0

