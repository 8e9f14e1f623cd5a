"""分组: every group with its members, adding and renaming groups, adding and removing
members, and keeping WeChat's user tags in step (so a notice can go to a branch by tag)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.console.web import (
    actor,
    attempt,
    attempt_or_again,
    console,
    db,
    form_id,
    now,
    page,
    page_number,
    requires,
    services,
    staff,
)
from bot.models import GROUP_KINDS, Group
from bot.roster.groups import (
    GroupError,
    create_group,
    groups_by_kind,
    member_counts,
    rename_group,
    set_member,
)
from bot.roster.search import find_person, search
from bot.roster.tags import sync_tags
from bot.staff.roles import Can

MEMBERS_SHOWN = 100  # a page of a group's members (a big 片区 has thousands)


@console.get("/groups")
def groups() -> tuple[str, int]:
    """Every group by kind, with its member count (a scoped account sees its own group only)."""
    return _groups_page()


def _groups_page(typed: Mapping[str, str] | None = None, problem: str = "",
                 status: int = 200) -> tuple[str, int]:
    """The groups room; `typed`: a new group as typed, shown again with what stopped it."""
    scope = staff().group_id
    table = {kind: {n: g for n, g in named.items() if scope is None or g.id == scope}
             for kind, named in groups_by_kind(db()).items()}
    return page("groups.html", status, table=table, counts=member_counts(db()), kinds=GROUP_KINDS,
                typed=typed or {}, problem=problem)


@console.get("/groups/<int:group_id>")
def group(group_id: int) -> tuple[str, int]:
    """One group: its members (searchable), and for staff who edit, renaming and membership."""
    return _group_page(group_id)


def _group_page(group_id: int, typed: str | None = None, problem: str = "",
                status: int = 200) -> tuple[str, int]:
    """The group's room; `typed`: a new name as typed, shown again with what stopped it."""
    found = _visible(group_id)
    text = request.args.get("q", "").strip()[:40]
    number = page_number()
    members = search(db(), "", group_id=group_id, limit=MEMBERS_SHOWN, offset=(number - 1) * MEMBERS_SHOWN,
                     with_groups=False)
    candidates = search(db(), text, scope=staff().group_id, limit=20) if text else None
    return page("group.html", status, group=found, members=members, q=text, candidates=candidates,
                number=number, size=MEMBERS_SHOWN, typed=found.name if typed is None else typed,
                problem=problem)


@console.post("/groups")
@requires(Can.EDIT)
def group_add() -> Response | tuple[str, int]:
    """Create a group. Refused, the form comes back as typed, with why."""
    form = request.form

    def add(session: Session) -> str:
        create_group(session, form.get("kind", ""), form.get("name", ""), actor=actor(), now=now())
        return "已添加分组。"
    if again := attempt_or_again(add, GroupError, lambda why: _groups_page(form, why, 400)):
        return again
    return redirect(url_for("console.groups"))


@console.post("/groups/<int:group_id>/rename")
@requires(Can.EDIT)
def group_rename(group_id: int) -> Response | tuple[str, int]:
    """Rename a group (activities open to it follow). Refused, the name comes back as typed."""
    _visible(group_id)
    name = request.form.get("name", "")

    def rename(session: Session) -> str:
        rename_group(session, group_id, name, actor=actor(), now=now())
        return "已改名。学习材料里如写了原来的分组名，请一并修改。"
    if again := attempt_or_again(rename, GroupError, lambda why: _group_page(group_id, name, why, 400)):
        return again
    return redirect(url_for("console.group", group_id=group_id))


@console.post("/groups/<int:group_id>/members")
@requires(Can.EDIT)
def group_member(group_id: int) -> Response:
    """Add a person to the group, or take them out."""
    _visible(group_id)
    joining = request.form.get("action") == "add"
    person = form_id("retiree_id")
    found = find_person(db(), person, scope=staff().group_id if joining else None)
    if joining and found is None:
        abort(404)  # a branch's account adds only whom it may see (and so may not widen its scope)
    name = found.name if found is not None else "这位"
    attempt(lambda session: set_member(session, group_id, person, joining, actor=actor(), now=now()),
            GroupError, f"已把{name}加入分组。" if joining else f"已把{name}移出分组。")
    return redirect(url_for("console.group", group_id=group_id))


@console.post("/groups/sync")
@requires(Can.EDIT)
def group_sync() -> Response:
    """Bring WeChat's user tags in step with the groups."""
    report = sync_tags(services(), actor=actor())
    created = "、".join(report.created) or "无"
    flash(f"微信标签已同步：新建 {created}；打上 {report.tagged} 人次，取消 {report.untagged} 人次。"
          + ("；".join(report.problems) if report.problems else ""), "error" if report.problems else "ok")
    return redirect(url_for("console.groups"))


def _visible(group_id: int) -> Group:
    """The group, if the account may see it (a scoped account: its own group only)."""
    found = db().scalar(sa.select(Group).where(Group.id == group_id))
    if found is None or staff().group_id not in (None, group_id):
        abort(404)
    return found
