"""For staff: per group, how many the month's material reached and who has read it; and the
送学上门 list — whom to visit with it, with address, phone and health (an audit-logged export).
"""

from __future__ import annotations

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
    OutboxMessage,
    OutboxStatus,
    Retiree,
    StudyReading,
)
from bot.roster.sheets import write_sheet
from bot.study.material import Material

NO_GROUP = "（未分组）"
REACHED = (OutboxStatus.SENT, OutboxStatus.SHOWN)
VISIT_COLUMNS = ["编号", "姓名", "分组", "地址", "电话", "健康状况", "独居", "原因"]


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
class Visit:
    """One person to bring the material to, and why."""

    retiree: Retiree
    reason: str


def count_by_group(session: Session, material: Material, by: datetime) -> list[GroupCount]:
    """For each group the material is for: members, reached by the push, read by `by` (and of
    those, read by family)."""
    reached, read = _reached(session, material.month), _read(session, material.month, by)
    family = _read(session, material.month, by, by_family=True)
    lines = []
    for name, members in _members_by_group(session, material).items():
        lines.append(GroupCount(name, len(members), len(members & (reached | read)), len(members & read),
                                len(members & family)))
    return lines


def home_visits(session: Session, material: Material, by: datetime, *, group: str | None = None,
                limit: int | None = None) -> tuple[list[Visit], int]:
    """Everyone the material is for (in group, if given) who has not read it by `by`, with why
    they may not have: the first `limit` by id (all by default), and how many there are."""
    members = _members_by_group(session, material)
    wanted = members.get(group, set()) if group is not None else set().union(*members.values())
    missing = sorted(wanted - _read(session, material.month, by))
    shown = missing[:limit]
    reached = _reached(session, material.month)
    accounts = _accounts(session, set(shown))
    people = session.scalars(sa.select(Retiree).where(Retiree.id.in_(shown)).order_by(Retiree.id)
                             .options(selectinload(Retiree.groups))).all()
    return [Visit(p, _reason(p.id, reached, accounts)) for p in people], len(missing)


def group_readings(session: Session, material: Material, group: str, by: datetime) -> list[Visit]:
    """Each member of one group the material is for, by name, with where they stand: read,
    read by family, or not read and why."""
    members = _members_by_group(session, material).get(group, set())
    read = _read(session, material.month, by)
    family = _read(session, material.month, by, by_family=True)
    reached = _reached(session, material.month)
    accounts = _accounts(session, members - read)
    people = session.scalars(sa.select(Retiree).where(Retiree.id.in_(members))
                             .order_by(Retiree.name_initials, Retiree.id)).all()
    return [Visit(p, "家属代学" if p.id in family else "已学习" if p.id in read
                  else "未学习：" + _reason(p.id, reached, accounts)) for p in people]


def write_visits(session: Session, visits: list[Visit], path: Path, *, month: str, actor: str,
                 now: datetime) -> None:
    """The 送学上门 list as .xlsx (or .csv); audit-logged, as it holds health data."""
    rows = [[v.retiree.number or v.retiree.id, v.retiree.name, "、".join(g.name for g in v.retiree.groups),
             v.retiree.address or "", v.retiree.phone or "", v.retiree.health or "",
             "是" if v.retiree.lives_alone else "", v.reason] for v in visits]
    write_sheet(path, VISIT_COLUMNS, rows)
    audit.record(session, actor=actor, action="study.visits_export", at=now, target=str(path.resolve()),
                 month=month, rows=len(rows))


def _members_by_group(session: Session, material: Material) -> dict[str, set[int]]:
    """The living members of each group the material is for, by group name (the ones in no
    group as NO_GROUP when it is for everyone). Plain ids, matched here: the database's join
    with names and a sort took three times as long over 40,000 memberships."""
    living = set(session.scalars(sa.select(Retiree.id).where(Retiree.living())))
    names: dict[int, str] = {group_id: name
                             for group_id, name in session.execute(sa.select(Group.id, Group.name))}
    groups: dict[str, set[int]] = {}
    grouped: set[int] = set()
    for group_id, retiree_id in session.execute(sa.select(GroupMember.group_id, GroupMember.retiree_id)):
        name = names[group_id]
        if retiree_id in living and (material.for_everyone or name in material.groups):
            groups.setdefault(name, set()).add(retiree_id)
            grouped.add(retiree_id)
    groups = dict(sorted(groups.items()))
    if material.for_everyone and (rest := living - grouped):
        groups[NO_GROUP] = rest
    return groups


def _reached(session: Session, month: str) -> set[int]:
    key = f"study:{month}:day:"
    # A range, not LIKE: the unique index on the key serves it (SQLite's LIKE ignores case, so
    # it cannot use an index).
    return set(session.scalars(sa.select(OutboxMessage.retiree_id).where(
        OutboxMessage.dedupe_key >= key, OutboxMessage.dedupe_key < key[:-1] + ";",
        OutboxMessage.status.in_(REACHED))))


def _read(session: Session, month: str, by: datetime, by_family: bool = False) -> set[int]:
    query = sa.select(StudyReading.retiree_id).where(StudyReading.month == month, StudyReading.read_at <= by)
    return set(session.scalars(query.where(StudyReading.by_agent.is_(True)) if by_family else query))


def _accounts(session: Session, retiree_ids: set[int]) -> dict[int, bool]:
    """For each retiree with a bound WeChat account: whether any of them still follows us."""
    rows = session.execute(sa.select(Binding.retiree_id, sa.func.coalesce(Follower.active, False))
                           .outerjoin(Follower, Follower.openid == Binding.openid)
                           .where(Binding.retiree_id.in_(retiree_ids), Binding.unbound_at.is_(None)))
    following: dict[int, bool] = {}
    for retiree_id, active in rows:
        following[retiree_id] = following.get(retiree_id, False) or bool(active)
    return following


def _reason(retiree_id: int, reached: set[int], accounts: dict[int, bool]) -> str:
    if retiree_id in reached:
        return "已收到，还没看"
    if retiree_id not in accounts:
        return "没有绑定微信"
    if not accounts[retiree_id]:
        return "已取消关注"
    return "消息没送到（本人近来没发过消息）"
