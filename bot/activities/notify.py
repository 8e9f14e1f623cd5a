"""What the delivery engine tells people about activities, each message once (keyed)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.activities.signups import LIVE, Outcome, lock, mine, tell, withdraw
from bot.activities.wording import describe
from bot.clock import SHANGHAI
from bot.config import Settings
from bot.delivery.audience import AudienceError
from bot.delivery.queue import deliver
from bot.delivery.staff_alerts import alert_staff
from bot.language.texts import Texts
from bot.models import Activity, ActivityStatus, Binding, Retiree, Signup, SignupStatus


def announce(session: Session, texts: Texts, activity: Activity, now: datetime) -> int:
    """Tell the activity's groups (or everyone) that it is open; how many accounts."""
    text = describe(texts, "announce", activity)
    names = ["all"] if activity.for_everyone else activity.groups
    queued = 0
    for name in names:
        audience = "all" if name == "all" else f"group:{name}"
        try:
            queued += len(deliver(session, audience, key=f"activity:{activity.id}:announce", text=text,
                                  now=now, kind="activity", title="新活动").recipients)
        except AudienceError:
            continue  # a group named in the activity that staff have not created: nobody to tell
    return queued


def tell_promoted(session: Session, settings: Settings, texts: Texts, promoted: list[Signup],
                  now: datetime) -> list[Retiree]:
    """Each person promoted from the waitlist is told, once; staff are asked to phone those no
    WeChat reaches (signed up by a clerk, nobody bound or following). Returns those."""
    return [person for signup in promoted
            if (person := _tell_or_phone(session, settings, texts, signup, "promoted", now)) is not None]


def withdraw_on_death(session: Session, settings: Settings, texts: Texts, retiree_id: int, now: datetime,
                      *, actor: str) -> str:
    """A death recorded: the person's sign-ups still to come cancelled (as a clerk would, after a
    call), the waitlist moved up and told; audit-logged. What staff read: which were cancelled
    and whom to phone; "" when there were none."""
    signups = mine(session, retiree_id, now)
    if not signups:
        return ""
    promoted = [moved for s in signups for moved in withdraw(session, s.id, retiree_id, now, by_staff=True)]
    unreached = tell_promoted(session, settings, texts, promoted, now)
    audit.record(session, actor=actor, action="activity.signup_cancel", at=now,
                 target=f"retiree:{retiree_id}", reason="去世", signups=[s.id for s in signups],
                 promoted=[s.id for s in promoted])
    titles = "、".join(f"【{s.activity.title}】" for s in signups)
    return f"已取消报名：{titles}。{promoted_for_staff(promoted, unreached)}"


def promoted_for_staff(promoted: list[Signup], unreached: list[Retiree]) -> str:
    """What staff read after a change moved the waitlist up: how many, and whom to phone."""
    if not promoted:
        return ""
    if not unreached:
        return f"候补的 {len(promoted)} 位补上了，会收到通知。"
    return f"候补的 {len(promoted)} 位补上了，{phone_these(unreached)}"


def moved_for_staff(told: int, unreached: list[Retiree]) -> str:
    """What staff read after moving an activity's time or place: how many were told, whom to phone."""
    return f"时间或地点改了，已告诉报名和候补的 {told} 位。{phone_these(unreached)}" if told else ""


def phone_these(unreached: list[Retiree]) -> str:
    """「其中钱进、王芳的微信联系不上，请打电话告诉本人。」 (nothing when all were told)."""
    if not unreached:
        return ""
    return f"其中{'、'.join(p.name for p in unreached)}的微信联系不上，请打电话告诉本人。"


# Each piece of news: its [activity] text, and its word in the outbox's once-only key.
NEWS_KEYS = {"promoted": "promoted", "reminder": "reminder", "activity_cancelled": "cancelled",
             "moved": "moved"}


def _tell_or_phone(session: Session, settings: Settings, texts: Texts, signup: Signup, news: str,
                   now: datetime, once: str = "") -> Retiree | None:
    """Tell whoever made the sign-up the news ([activity] text news) once (once: which time, for
    news that may come again); when no WeChat reaches them, staff are alerted to phone instead.
    The person to phone, if so."""
    key = f"activity:{signup.activity_id}:{NEWS_KEYS[news]}:{signup.id}{once}"
    tell(session, signup, key=key, now=now, text=describe(texts, news, signup.activity))
    if signup.openid:
        return None
    person = session.get(Retiree, signup.retiree_id)
    said = texts.get("activity.staff_phone_instead", name=person.name, phone=person.phone or "无电话",
                     title=signup.activity.title, news=texts.get(f"activity.staff_news_{news}"))
    alert_staff(session, settings, now, key=f"{key}:staff", text=said,
                page=f"/console/activities/{signup.activity_id}")
    return person


def tell_signed_up_by_staff(session: Session, texts: Texts, outcome: Outcome, name: str,
                            now: datetime) -> bool:
    """Whoever a clerk's sign-up is told to hears what was done for name, once; False when
    nobody can be (no WeChat bound: the clerk tells them on the phone)."""
    signup = outcome.signup
    if not signup.openid:
        return False
    own = session.scalar(sa.select(Binding.role).where(
        Binding.openid == signup.openid, Binding.retiree_id == signup.retiree_id,
        Binding.unbound_at.is_(None))) == "self"
    key = "by_staff_waiting" if outcome.position else "by_staff_confirmed"
    tell(session, signup, key=f"activity:{signup.activity_id}:by_staff:{signup.id}", now=now,
         text=describe(texts, key, signup.activity, whom="您" if own else f"{name}同志",
                       position=outcome.position or 0))
    return True


def remind_tomorrow(session: Session, settings: Settings, texts: Texts, now: datetime) -> int:
    """The day before: everyone with a place is reminded of the time and meeting point, once
    (not whoever signed up for someone who has died since: their family would read it); staff
    are asked to phone those no WeChat reaches. How many were reminded or are to be phoned."""
    tomorrow = (now.astimezone(SHANGHAI) + timedelta(days=1)).date()
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=SHANGHAI)
    activities = session.scalars(sa.select(Activity).where(
        Activity.status != ActivityStatus.CANCELLED,
        Activity.starts_at >= start, Activity.starts_at < start + timedelta(days=1)))
    told = 0
    died = set(session.scalars(sa.select(Retiree.id).where(Retiree.died_on.is_not(None))))
    for activity in activities:
        for signup in activity.signups:
            if signup.status == SignupStatus.CONFIRMED and signup.retiree_id not in died:
                _tell_or_phone(session, settings, texts, signup, "reminder", now)
                told += 1
    return told


def tell_moved(session: Session, settings: Settings, texts: Texts, activity: Activity,
               now: datetime) -> tuple[int, list[Retiree]]:
    """Its time or place changed: everyone signed up or waiting is told, once for this change,
    with the activity as it now is (not whoever signed up for someone who has died since, nor for
    an activity cancelled or over); how many, and those staff must phone."""
    if activity.status == ActivityStatus.CANCELLED or activity.starts_at <= now:
        return 0, []  # a correction to what is over or off: nobody is going
    died = set(session.scalars(sa.select(Retiree.id).where(Retiree.died_on.is_not(None))))
    live = [s for s in activity.signups if s.status in LIVE and s.retiree_id not in died]
    once = f":{int(now.timestamp() * 1000)}"  # each change its own news: moved back, they hear it again
    unreached = [person for signup in live
                 if (person := _tell_or_phone(session, settings, texts, signup, "moved", now, once))]
    return len(live), unreached


def cancel_activity(session: Session, settings: Settings, texts: Texts, activity: Activity,
                    now: datetime) -> tuple[int, list[Retiree]]:
    """Cancel it and tell everyone signed up or waiting, once: how many, and those staff must
    phone (no WeChat reaches them)."""
    activity = lock(session, activity.id)  # no sign-up slips in unseen while it is cancelled
    activity.status, activity.updated_at = ActivityStatus.CANCELLED, now
    live = [s for s in activity.signups if s.status in LIVE]
    unreached = [person for signup in live
                 if (person := _tell_or_phone(session, settings, texts, signup, "activity_cancelled", now))]
    return len(live), unreached
