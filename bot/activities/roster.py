"""For staff: the sign-up list of an activity as Excel (audit-logged), attendance, and counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot import audit
from bot.activities.catalog import CatalogError, get
from bot.clock import SHANGHAI
from bot.models import SIGNUP_NAMES, Activity, Retiree, Signup, SignupStatus
from bot.roster.sheets import write_sheet

COLUMNS = ["序号", "状态", "姓名", "支部", "电话", "紧急联系人", "紧急联系人电话", "家属陪同", "健康状况",
           "报名人", "报名时间", "到场"]
CAME = {True: "是", False: "否", None: ""}  # 到场: blank until attendance is recorded
STATES = {status: SIGNUP_NAMES[status] for status in (SignupStatus.CONFIRMED, SignupStatus.WAITING)}


@dataclass(frozen=True)
class ActivityCounts:
    """One activity's line of `activity stats`."""

    activity: Activity
    confirmed: int
    seats: int
    waiting: int
    cancelled: int
    attended: int


def export_roster(session: Session, activity_id: int, path: Path, *, actor: str, now: datetime) -> int:
    """Write the confirmed and waiting sign-ups, in arrival order; how many rows."""
    activity = get(session, activity_id)
    signups = session.scalars(sa.select(Signup).where(
        Signup.activity_id == activity.id, Signup.status.in_(tuple(STATES))).order_by(Signup.id)
        .options(selectinload(Signup.activity))).all()
    people = {p.id: p for p in session.scalars(sa.select(Retiree).where(
        Retiree.id.in_([s.retiree_id for s in signups])).options(
        selectinload(Retiree.groups), selectinload(Retiree.contacts)))}
    rows = [_row(n, s, people[s.retiree_id]) for n, s in enumerate(signups, start=1)]
    when = f"{activity.starts_at.astimezone(SHANGHAI):%m-%d}"
    write_sheet(path, COLUMNS, rows, sheet=f"{activity.title} {when}")  # which activity, on the tab
    audit.record(session, actor=actor, action="activity.roster_export", at=now,
                 target=f"activity:{activity.id}", rows=len(rows), file=str(path.resolve()))
    return len(rows)


def mark_attended(session: Session, activity_id: int, retiree_ids: list[int]) -> int:
    """Record who came (staff, after the activity); only people with a place can be marked."""
    get(session, activity_id)
    signups = session.scalars(sa.select(Signup).where(
        Signup.activity_id == activity_id, Signup.retiree_id.in_(retiree_ids),
        Signup.status == SignupStatus.CONFIRMED)).all()
    missing = set(retiree_ids) - {s.retiree_id for s in signups}
    if missing:
        raise CatalogError(f"这些编号没有报上这个活动：{'、'.join(map(str, sorted(missing)))}")
    for signup in signups:
        signup.attended = True
    return len(signups)


def record_attendance(session: Session, activity_id: int, came: set[int],
                      ticked: Callable[[int], bool] = lambda _retiree_id: True) -> int:
    """Record who came and who did not, for everyone with a place whom the ticked list showed
    (a branch's list shows its own people: the others are left as they were); how many came."""
    get(session, activity_id)
    signups = [s for s in session.scalars(sa.select(Signup).where(
        Signup.activity_id == activity_id, Signup.status == SignupStatus.CONFIRMED)) if ticked(s.retiree_id)]
    for signup in signups:
        signup.attended = signup.retiree_id in came
    return sum(1 for s in signups if s.attended)


def signup_list(session: Session, activity_id: int) -> list[tuple[Signup, Retiree]]:
    """Everyone who signed up, with a place first, then the waitlist, each in arrival order,
    then those who cancelled; with the person (and their groups)."""
    order = sa.case({SignupStatus.CONFIRMED: 0, SignupStatus.WAITING: 1}, value=Signup.status, else_=2)
    rows = session.execute(sa.select(Signup, Retiree).join(Retiree, Retiree.id == Signup.retiree_id)
                           .where(Signup.activity_id == activity_id).order_by(order, Signup.id)
                           .options(selectinload(Retiree.groups))).all()
    return [(signup, person) for signup, person in rows]


def counts(session: Session) -> list[ActivityCounts]:
    """Per activity, newest first: signed up (people and seats), waiting, cancelled, attended."""
    lines = []
    for activity in session.scalars(sa.select(Activity).order_by(Activity.starts_at.desc())
                                    .options(selectinload(Activity.signups))):
        by_status = Counter(s.status for s in activity.signups)
        lines.append(ActivityCounts(
            activity, by_status[SignupStatus.CONFIRMED],
            sum(s.seats for s in activity.signups if s.status == SignupStatus.CONFIRMED),
            by_status[SignupStatus.WAITING], by_status[SignupStatus.CANCELLED],
            sum(1 for s in activity.signups if s.attended)))
    return lines


def _row(number: int, signup: Signup, person: Retiree) -> list[object]:
    contact = person.contacts[0] if person.contacts else None
    branch = "、".join(g.name for g in person.groups if g.kind == "党支部")
    return [number, STATES[SignupStatus(signup.status)], person.name, branch, person.phone or "",
            contact.name if contact else "", (contact.phone or "") if contact else "",
            "是" if signup.companion else "否", person.health or "", signup.made_by,
            f"{signup.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}", CAME[signup.attended]]
