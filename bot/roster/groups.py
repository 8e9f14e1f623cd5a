"""Groups staff define (party branches, 老年大学 classes, residential areas …) and membership."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.models import GROUP_KINDS, Activity, Group, GroupMember, Retiree

# Words that mean everyone where a notice or activity names its audience: no group is named so.
EVERYONE_WORDS = frozenset({"全体", "所有人", "全部", "大家", "all"})
# The roster columns that name groups, and the kind of group each names.
GROUP_FIELDS = {"branch": "党支部", "class_name": "老年大学班级", "area": "居住片区"}


class GroupError(ValueError):
    """A group that cannot be created as asked."""


def add_group(session: Session, kind: str, name: str) -> Group:
    """Create a group; the kind must be one of GROUP_KINDS and the name new within it."""
    if kind not in GROUP_KINDS:
        raise GroupError(f"不认识的分组类型“{kind}”：可用的类型有 {'、'.join(GROUP_KINDS)}。")
    name = _checked_name(name)
    if find_group(session, kind, name) is not None:
        raise GroupError(f"{kind}“{name}”已经有了。")
    group = Group(kind=kind, name=name)
    session.add(group)
    session.flush()
    return group


def create_group(session: Session, kind: str, name: str, *, actor: str, now: datetime) -> Group:
    """add_group, audit-logged: what staff do from the console or a command."""
    group = add_group(session, kind, name)
    audit.record(session, actor=actor, action="group.add", at=now, target=f"group:{group.id}",
                 kind=kind, name=group.name)
    return group


def rename_group(session: Session, group_id: int, name: str, *, actor: str, now: datetime) -> Group:
    """Rename a group; activities open to it follow the new name (audit-logged)."""
    group = _group(session, group_id)
    name, old = _checked_name(name), group.name
    if name != old and find_group(session, group.kind, name) is not None:
        raise GroupError(f"{group.kind}“{name}”已经有了。")
    group.name = name
    for activity in session.scalars(sa.select(Activity)):
        if old in activity.groups:
            activity.groups = [name if g == old else g for g in activity.groups]
    audit.record(session, actor=actor, action="group.rename", at=now, target=f"group:{group_id}",
                 changes={"名称": [old, name]})
    return group


def _checked_name(name: str) -> str:
    """A group's name as given, or GroupError: empty, or a word that means everyone (a group
    named 全体 would read as everyone in 通知 and 活动, and reach only its members)."""
    name = name.strip()
    if not name:
        raise GroupError("分组名称不能为空。")
    if name.lower() in EVERYONE_WORDS:
        raise GroupError(f"“{name}”在通知、活动里指所有人，不能做分组名称，请换一个。")
    return name


def set_member(session: Session, group_id: int, retiree_id: int, member: bool, *, actor: str,
               now: datetime) -> bool:
    """Add a person to a group or take them out (audit-logged); False when nothing changed."""
    group = _group(session, group_id)
    person = session.get(Retiree, retiree_id)
    if person is None or person.anonymised_at is not None:
        raise GroupError("没有这个人，或已匿名化。")
    link = (GroupMember.group_id == group.id) & (GroupMember.retiree_id == retiree_id)
    if (session.scalar(sa.select(GroupMember.retiree_id).where(link)) is not None) == member:
        return False  # asked without loading the group's members: a 片区 has thousands
    if member:
        session.add(GroupMember(group_id=group_id, retiree_id=retiree_id))
    else:
        session.execute(sa.delete(GroupMember).where(link))
    audit.record(session, actor=actor, action="group.join" if member else "group.leave", at=now,
                 target=f"group:{group_id}", retiree=retiree_id)
    return True


def member_counts(session: Session) -> dict[int, int]:
    """How many people each group has (by group id)."""
    return dict(session.execute(sa.select(GroupMember.group_id, sa.func.count())
                                .group_by(GroupMember.group_id)).all())


def _group(session: Session, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise GroupError("没有这个分组。")
    return group


def ensure_groups(session: Session, wanted: dict[str, tuple[str, ...]]) -> None:
    """Create whichever of these groups (by kind) do not exist yet."""
    for kind, names in wanted.items():
        for name in names:
            if find_group(session, kind, name) is None:
                add_group(session, kind, name)


def find_group(session: Session, kind: str, name: str) -> Group | None:
    """The group of that kind and name, if staff created it."""
    return session.scalar(sa.select(Group).where(Group.kind == kind, Group.name == name))


EVERYONE = "all"  # in an activity's or a study month's groups: every retiree
# Which was meant, when both are given? Sending to all would be a guess, and cannot be undone.
EVERYONE_AND_GROUPS = "「全体」（all）和分组只能选一种：只给这些分组，请不要选全体"


def mixes_everyone(names: list[str] | tuple[str, ...]) -> bool:
    """True when a list of groups names 全体 and groups too."""
    return EVERYONE in names and len(names) > 1


def groups_by_kind(session: Session) -> dict[str, dict[str, Group]]:
    """Every group, by kind and then by name (in reading order)."""
    table: dict[str, dict[str, Group]] = {kind: {} for kind in GROUP_KINDS}
    for group in all_groups(session):
        table.setdefault(group.kind, {})[group.name] = group
    return table


def all_groups(session: Session, scope: int | None = None) -> list[Group]:
    """Every group, by kind, each kind's in reading order (第二党支部 before 第三 and 第十); for an
    account scoped to a group, without the other groups of its kind, whose people it never sees."""
    groups = sorted(session.scalars(sa.select(Group)), key=lambda g: (g.kind, reading_order(g.name)))
    own = next((g for g in groups if g.id == scope), None)
    return [g for g in groups if own is None or g.kind != own.kind or g is own]


def group_names(session: Session, only: int | None = None) -> list[str]:
    """The groups' names, each once (two kinds may share one), in reading order; only: that group's."""
    query = sa.select(Group.name).distinct()
    if only is not None:
        query = query.where(Group.id == only)
    return sorted(session.scalars(query), key=reading_order)


_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"\d+|[一二两三四五六七八九十]+")


def reading_order(name: str) -> str:
    """A sort key in which numbers, Arabic or Chinese, count by value: 第一、第二、第三 … 第十一
    (by the characters' codes 第三 came before 第二)."""
    return _NUMBER.sub(lambda m: f"{_value(m.group()):06d}", name)


def _value(number: str) -> int:
    """第十二 → 12, 二十 → 20, 三 → 3, 12 → 12 (beyond 99 Chinese numbers read digit by digit)."""
    if number.isdigit():
        return int(number)
    tens, ten, ones = number.partition("十")
    if ten and len(tens) <= 1 and len(ones) <= 1:
        return _NUMERALS.get(tens, 1) * 10 + _NUMERALS.get(ones, 0)
    return int("".join(str(_NUMERALS.get(c, 0)) for c in number))


def split_names(cell: str) -> list[str]:
    """Several group names in one cell, as staff write them: 书法班、合唱班 or 书法班,合唱班."""
    for separator in "，,;；/":
        cell = cell.replace(separator, "、")
    return [part.strip() for part in cell.split("、") if part.strip()]
