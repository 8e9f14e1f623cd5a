"""Keeping WeChat user tags in step with groups, so a notice can go to a branch by tag."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot.db import transaction
from bot.models import Binding, Follower, Group, GroupMember, Retiree
from bot.services import Services

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
        .where(Binding.unbound_at.is_(None), Follower.active, Retiree.died_on.is_(None),
               Retiree.anonymised_at.is_(None)))
    for group_id, openid in rows:
        plans[group_id].openids.add(openid)
    return list(plans.values())


def _tag_name(group: Group, names: list[str]) -> str:
    # Two groups of different kinds may share a name (a 书法班 class and a 书法班 interest
    # group); their tags must not.
    name = group.name if names.count(group.name) == 1 else f"{group.kind}·{group.name}"
    return name[:30]


def sync_tags(services: Services) -> SyncReport:
    """Create missing tags and bring each tag's members in line with its group.

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
            _sync_members(api, tag_id, plan.openids, report)
    return report


def _ensure_tag(services: Services, plan: GroupPlan, existing: dict[str, int],
                report: SyncReport) -> int | None:
    if plan.tag_id in existing.values():
        return plan.tag_id
    tag_id = existing.get(plan.tag_name)
    if tag_id is None:
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


def _sync_members(api, tag_id: int, wanted: set[str], report: SyncReport) -> None:
    current = set(api.tag.iter_tag_users(tag_id))
    report.calls += 1
    for openids, call, counter in ((sorted(wanted - current), api.tag.tag_user, "tagged"),
                                   (sorted(current - wanted), api.tag.untag_user, "untagged")):
        for start in range(0, len(openids), BATCH):
            batch = openids[start:start + BATCH]
            call(tag_id, batch)
            report.calls += 1
            setattr(report, counter, getattr(report, counter) + len(batch))
