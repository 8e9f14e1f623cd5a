"""Keeping WeChat user tags in step with groups, so a notice can go to a branch by tag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot import audit
from bot.db.engine import transaction
from bot.models import Binding, Follower, Group, GroupMember, Retiree
from bot.services import Services
from bot.wechat_api.client import WeChatApi

BATCH = 50  # openids per batch(un)tagging call: the platform's limit
TOO_MANY_TAGS = 45056


@dataclass
class GroupPlan:
    """One group as it should be on WeChat: its tag and the openids that belong under it."""

    group_id: int
    tag_name: str
    tag_id: int | None
    openids: set[str] = field(default_factory=set)


@dataclass
class SyncReport:
    """What a sync did, and what it could not do."""

    created: list[str] = field(default_factory=list)
    tagged: int = 0
    untagged: int = 0
    calls: int = 0
    problems: list[str] = field(default_factory=list)


def plan_groups(session: Session) -> list[GroupPlan]:
    """Every group with the openids bound to its living, not anonymised members who follow us."""
    groups = list(session.scalars(sa.select(Group).order_by(Group.id)))
    names = [g.name for g in groups]
    plans = {g.id: GroupPlan(g.id, _tag_name(g, names), g.wechat_tag_id) for g in groups}
    rows = session.execute(
        sa.select(GroupMember.group_id, Binding.openid)
        .join(Retiree, Retiree.id == GroupMember.retiree_id)
        .join(Binding, Binding.retiree_id == Retiree.id)
        .join(Follower, Follower.openid == Binding.openid)
        .where(Binding.unbound_at.is_(None), Binding.app == Follower.APP, Follower.active,
               Retiree.died_on.is_(None),
               Retiree.anonymised_at.is_(None)))
    for group_id, openid in rows:
        plans[group_id].openids.add(openid)
    return list(plans.values())


def _tag_name(group: Group, names: list[str]) -> str:
    # Two groups of different kinds may share a name (a 书法班 class and a 书法班 interest
    # group); their tags must not.
    name = group.name if names.count(group.name) == 1 else f"{group.kind}·{group.name}"
    return name[:30]


def sync_tags(services: Services, *, actor: str) -> SyncReport:
    """Create missing tags and bring each tag's members in line with its group; audit-logged as
    actor's, with what changed at WeChat.

    No database transaction is open during WeChat calls, so the bot keeps answering meanwhile.
    """
    with services.sessions() as session:
        plans = plan_groups(session)
    api, report = services.wechat, SyncReport()
    existing = {t["name"]: t["id"] for t in api.tag.get()}
    report.calls += 1
    for plan in plans:
        tag_id = _ensure_tag(services, plan, existing, report)
        if tag_id is not None:
            _sync_members(api, plan, tag_id, report)
    with transaction(services.sessions) as session:
        audit.record(session, actor=actor, action="group.sync", at=services.clock.now(),
                     created=report.created, tagged=report.tagged, untagged=report.untagged,
                     problems=len(report.problems))
    return report


def _ensure_tag(services: Services, plan: GroupPlan, existing: dict[str, int],
                report: SyncReport) -> int | None:
    if plan.tag_id in existing.values():
        return plan.tag_id
    if plan.tag_name in existing:
        # A tag of that name that we did not create was made by hand in the admin panel; its
        # members are someone's choice, so it is never taken over.
        report.problems.append(f"“{plan.tag_name}”：公众号里已有同名标签（不是本系统建的），没有改动它。"
                               f"请在公众平台改掉那个标签的名字，或给分组换个名字后再同步。")
        return None
    try:
        tag_id = services.wechat.tag.create(plan.tag_name)["id"]
    except WeChatClientException as exc:
        report.problems.append(_create_problem(plan.tag_name, exc))
        return None
    finally:
        report.calls += 1
    report.created.append(plan.tag_name)
    with transaction(services.sessions) as session:
        session.get(Group, plan.group_id).wechat_tag_id = tag_id
    return tag_id


def _create_problem(name: str, exc: WeChatClientException) -> str:
    if exc.errcode == TOO_MANY_TAGS:
        return (f"“{name}”没有建成标签：公众号的标签已达 100 个上限。请在公众平台删去不用的标签，"
                f"或减少分组后再同步。")
    return f"“{name}”没有建成标签：微信返回错误 {exc.errcode}。"


def _sync_members(api: WeChatApi, plan: GroupPlan, tag_id: int, report: SyncReport) -> None:
    """Add the missing members and remove the departed, 50 at a time; a failed batch is a
    problem in the report, and the rest goes on."""
    try:
        current = set(api.tag.iter_tag_users(tag_id))
    except WeChatClientException as exc:
        report.problems.append(f"“{plan.tag_name}”：读取标签成员失败（微信错误 {exc.errcode}）。")
        return
    finally:
        report.calls += 1
    report.tagged += _in_batches(api.tag.tag_user, tag_id, sorted(plan.openids - current),
                                 plan.tag_name, report)
    report.untagged += _in_batches(api.tag.untag_user, tag_id, sorted(current - plan.openids),
                                   plan.tag_name, report)


def _in_batches(call: Callable[[int, list[str]], object], tag_id: int, openids: list[str],
                tag_name: str, report: SyncReport) -> int:
    """Apply call in batches of 50; a rejected batch is retried one by one, so one person (say,
    one already carrying WeChat's 20 tags) does not hold back the other 49."""
    done = 0
    for start in range(0, len(openids), BATCH):
        batch = openids[start:start + BATCH]
        if _call(call, tag_id, batch, report) is None:
            done += len(batch)
            continue
        errors = {o: code for o in batch if (code := _call(call, tag_id, [o], report)) is not None}
        done += len(batch) - len(errors)
        if errors:
            codes = "、".join(sorted({str(c) for c in errors.values()}))
            report.problems.append(f"“{tag_name}”：有 {len(errors)} 人这次没有同步上"
                                   f"（微信错误 {codes}），下次同步会再试。")
    return done


def _call(call: Callable[[int, list[str]], object], tag_id: int, openids: list[str],
          report: SyncReport) -> int | None:
    """None on success, else WeChat's errcode."""
    report.calls += 1
    try:
        call(tag_id, openids)
    except WeChatClientException as exc:
        return exc.errcode
    return None
