"""For staff: per group, how many the month's material reached and who has read it; and the
送学上门 list — whom to visit with it, with address, phone and health (an audit-logged export).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot import audit
from bot.models import (
    Binding,
    Follower,
    Group,
    GroupMember,
    MiniUser,
    OutboxMessage,
    OutboxStatus,
    Retiree,
    StudyReading,
)
from bot.roster.groups import reading_order
from bot.roster.sheets import write_sheet
from bot.study.material import Material
from bot.study.visits import assigned

NO_GROUP = "（未分组）"
REACHED = (OutboxStatus.SENT, OutboxStatus.SHOWN)
_PEOPLE, _GROUPS, _MEMBERS = Retiree.__table__, Group.__table__, GroupMember.__table__
_OUTBOX, _READINGS = OutboxMessage.__table__, StudyReading.__table__
VISIT_COLUMNS = ["编号", "姓名", "分组", "地址", "电话", "健康状况", "独居", "原因", "谁去"]


@dataclass(frozen=True)
class GroupCount:
    """One group's line of the report."""

    group: str
    members: int
    reached: int
    read: int
    by_family: int = 0  # of those who read it, recorded by family on their behalf

    @property
    def not_read(self) -> int:
        """Members who have not read it (yet)."""
        return self.members - self.read


@dataclass(frozen=True)
class Reading:
    """One member of a group and where they stand with the month's material."""

    retiree_id: int
    name: str
    state: str


@dataclass(frozen=True)
class Visit:
    """One person to bring the material to, and why."""

    retiree: Retiree
    reason: str


@dataclass(frozen=True)
class MonthFacts:
    """A month's material as things stand at a time: whom it is for, by group, and whom its
    push reached and who has read it (and of those, by family). Read once for a page."""

    month: str
    members: dict[str, set[int]]
    reached: set[int]
    read: set[int]
    family: set[int]
    pushed: frozenset[int] = frozenset()  # those the study day's push was queued for, reached or not

    def counts(self) -> list[GroupCount]:
        """Each group's line: members, reached (by the push or by reading it), read, by family."""
        seen = self.reached | self.read
        return [GroupCount(name, len(ids), len(ids & seen), len(ids & self.read), len(ids & self.family))
                for name, ids in sorted(self.members.items(), key=lambda item: reading_order(item[0]))]

    def within(self, ids: set[int]) -> MonthFacts:
        """The same facts about these people only (a branch's own)."""
        return MonthFacts(self.month, {name: members & ids for name, members in self.members.items()
                                       if members & ids}, self.reached, self.read, self.family, self.pushed)

    def wanted(self, group: str | None = None) -> set[int]:
        """Everyone the material is for, or the members of one of its groups."""
        return self.members.get(group, set()) if group is not None else set().union(*self.members.values())


def facts(session: Session, material: Material, by: datetime) -> MonthFacts:
    """The month's facts, by `by`: whom it was for counts those on file by the month's end (a
    person imported in a later month did not miss this one)."""
    on_file_by = min(by, material.month_end)
    pushed = _day_push(session, material.month)
    return MonthFacts(material.month, _members_by_group(session, material, on_file_by),
                      {retiree for retiree, status in pushed.items() if status in REACHED},
                      _read(session, material.month, by), _read(session, material.month, by, by_family=True),
                      frozenset(pushed))


def count_by_group(session: Session, material: Material, by: datetime) -> list[GroupCount]:
    """For each group the material is for: members, reached by the push, read by `by` (and of
    those, read by family)."""
    return facts(session, material, by).counts()


def home_visits(session: Session, known: MonthFacts, *, group: str | None = None,
                limit: int | None = None) -> tuple[list[Visit], int]:
    """Everyone the material is for (in group, if given) who has not read it, with why they may
    not have: the first `limit` by id (all by default), and how many there are."""
    missing = sorted(known.wanted(group) - known.read)
    shown = missing[:limit]
    accounts = _accounts(session, set(shown))
    people = session.scalars(sa.select(Retiree).where(Retiree.id.in_(shown)).order_by(Retiree.id)
                             .options(selectinload(Retiree.groups))).all()
    return [Visit(p, _reason(p.id, known, accounts)) for p in people], len(missing)


def group_readings(session: Session, known: MonthFacts, group: str, *, limit: int | None = None,
                   offset: int = 0) -> tuple[list[Reading], int]:
    """The members of one group the material is for, by name, with where each stands (read,
    read by family, or not read and why): `limit` of them from `offset`, and how many in all."""
    members = known.wanted(group)
    rows = session.connection().execute(
        sa.select(_PEOPLE.c.id, _PEOPLE.c.name).where(_PEOPLE.c.id.in_(members))
        .order_by(_PEOPLE.c.name_initials, _PEOPLE.c.id).limit(limit).offset(offset)).all()
    accounts = _accounts(session, {r.id for r in rows} - known.read)
    return [Reading(r.id, r.name, "家属代学" if r.id in known.family else "已学习" if r.id in known.read
                    else "未学习：" + _reason(r.id, known, accounts)) for r in rows], len(members)


def write_visits(session: Session, visits: list[Visit], path: Path, *, month: str, actor: str,
                 now: datetime) -> None:
    """The 送学上门 list as .xlsx (or .csv); audit-logged, as it holds health data."""
    going = assigned(session, month, [v.retiree.id for v in visits])
    rows = [[v.retiree.number or "", v.retiree.name, "、".join(g.name for g in v.retiree.groups),
             v.retiree.address or "", v.retiree.phone or "", v.retiree.health or "",
             "是" if v.retiree.lives_alone else "", v.reason,
             going[v.retiree.id].assigned_to if v.retiree.id in going else ""] for v in visits]
    write_sheet(path, VISIT_COLUMNS, rows)
    audit.record(session, actor=actor, action="study.visits_export", at=now, target=str(path.resolve()),
                 month=month, rows=len(rows))


def _members_by_group(session: Session, material: Material, on_file_by: datetime) -> dict[str, set[int]]:
    """The living members on file by on_file_by of each group the material is for, by group
    name (the ones in no group as NO_GROUP when it is for everyone). Plain ids on the bare
    connection, matched here: the database's join with names and a sort took three times as long
    over 40,000 memberships, and ORM rows four times as long as plain ones."""
    conn = session.connection()  # the session's own transaction
    living = set(conn.scalars(sa.select(_PEOPLE.c.id).where(_PEOPLE.c.died_on.is_(None),
                                                           _PEOPLE.c.anonymised_at.is_(None),
                                                           _PEOPLE.c.created_at <= on_file_by)).all())
    names = {group_id: name for group_id, name in conn.execute(sa.select(_GROUPS.c.id, _GROUPS.c.name)).all()
             if material.for_everyone or name in material.groups}
    by_group: dict[int, set[int]] = defaultdict(set)
    for group_id, retiree_id in conn.execute(sa.select(_MEMBERS.c.group_id, _MEMBERS.c.retiree_id)
                                             .where(_MEMBERS.c.group_id.in_(names))).all():
        by_group[group_id].add(retiree_id)
    groups: dict[str, set[int]] = {}
    for group_id, ids in by_group.items():  # a name two groups share (of two kinds) counts once
        if members := ids & living:
            groups.setdefault(names[group_id], set()).update(members)
    grouped = set().union(*groups.values())
    groups = dict(sorted(groups.items()))
    if material.for_everyone and (rest := living - grouped):
        groups[NO_GROUP] = rest
    return groups


def _day_push(session: Session, month: str) -> dict[int, str]:
    """Those the study day's push was queued for, with where each copy stands (one read serves
    both who was reached and who was sent anything). A range, not LIKE: the unique index on the
    key serves it (SQLite's LIKE ignores case, so it cannot use an index)."""
    key = f"study:{month}:day:"
    rows = session.connection().execute(sa.select(_OUTBOX.c.retiree_id, _OUTBOX.c.status).where(
        _OUTBOX.c.dedupe_key >= key, _OUTBOX.c.dedupe_key < key[:-1] + ";")).all()
    pushed: dict[int, str] = {}
    for retiree, status in rows:  # a person with several accounts: reached if any copy was
        if pushed.get(retiree) not in REACHED:
            pushed[retiree] = status
    return pushed


def _read(session: Session, month: str, by: datetime, by_family: bool = False) -> set[int]:
    query = sa.select(_READINGS.c.retiree_id).where(_READINGS.c.month == month, _READINGS.c.read_at <= by)
    if by_family:
        query = query.where(_READINGS.c.by_agent.is_(True))
    return set(session.connection().scalars(query).all())


def _accounts(session: Session, retiree_ids: set[int]) -> dict[int, bool]:
    """For each retiree with a bound WeChat account: whether any of them still follows us (a
    mini-program account always does: it reads its notices there)."""
    rows = session.execute(sa.select(Binding.retiree_id,
                                     sa.func.coalesce(Follower.active, Binding.app == MiniUser.APP))
                           .outerjoin(Follower, Follower.openid == Binding.openid)
                           .where(Binding.retiree_id.in_(retiree_ids), Binding.unbound_at.is_(None)))
    following: dict[int, bool] = {}
    for retiree_id, active in rows:
        following[retiree_id] = following.get(retiree_id, False) or bool(active)
    return following


def _reason(retiree_id: int, known: MonthFacts, accounts: dict[int, bool]) -> str:
    if retiree_id in known.reached:
        return "已收到，还没看"
    if retiree_id not in accounts:
        return "没有绑定微信"
    if not accounts[retiree_id]:
        return "已取消关注"
    if not known.pushed:  # the study day has not come: nothing was sent to anyone yet
        return "学习日推送还没发出"
    if retiree_id not in known.pushed:  # bound after the study day: nothing was sent to them
        return "学习日推送时还没绑定微信"
    return "消息没送到（本人近来没发过消息）"
