"""Groups staff define (party branches, 老年大学 classes, residential areas …) and membership."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import GROUP_KINDS, Group

# The roster columns that name groups, and the kind of group each names.
GROUP_FIELDS = {"branch": "党支部", "class_name": "老年大学班级", "area": "居住片区"}


class GroupError(ValueError):
    """A group that cannot be created as asked."""


def add_group(session: Session, kind: str, name: str) -> Group:
    """Create a group; the kind must be one of GROUP_KINDS and the name new within it."""
    if kind not in GROUP_KINDS:
        raise GroupError(f"不认识的分组类型“{kind}”：可用的类型有 {'、'.join(GROUP_KINDS)}。")
    name = name.strip()
    if not name:
        raise GroupError("分组名称不能为空。")
    if find_group(session, kind, name) is not None:
        raise GroupError(f"{kind}“{name}”已经有了。")
    group = Group(kind=kind, name=name)
    session.add(group)
    session.flush()
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


def groups_by_kind(session: Session) -> dict[str, dict[str, Group]]:
    """Every group, by kind and then by name."""
    table: dict[str, dict[str, Group]] = {kind: {} for kind in GROUP_KINDS}
    for group in session.scalars(sa.select(Group).order_by(Group.kind, Group.name)):
        table.setdefault(group.kind, {})[group.name] = group
    return table


def split_names(cell: str) -> list[str]:
    """Several group names in one cell, as staff write them: 书法班、合唱班 or 书法班,合唱班."""
    for separator in "，,;；/":
        cell = cell.replace(separator, "、")
    return [part.strip() for part in cell.split("、") if part.strip()]
