"""groups sync: WeChat tags follow the groups, in batches of 50, within the 100-tag limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa

from bot.models import AuditEntry, Binding, Follower, Group, Retiree
from bot.roster.groups import add_group
from bot.roster.tags import sync_tags
from bot.services import Services, build_services
from bot.standin import StandinServer, StandinSettings


def populate(services: Services, branch_size: int = 120) -> dict[str, list[str]]:
    """Two branches and a class; bound, following members; a few who must not be tagged."""
    now = services.clock.now()
    openids: dict[str, list[str]] = {"第一党支部": [], "第二党支部": [], "书法班": []}
    with services.sessions.begin() as session:
        first, second = add_group(session, "党支部", "第一党支部"), add_group(session, "党支部", "第二党支部")
        calligraphy = add_group(session, "老年大学班级", "书法班")
        for n in range(branch_size + 4):
            groups = [first] if n % 2 == 0 else [second]
            if n % 5 == 0:
                groups.append(calligraphy)
            person = Retiree(name=f"测试{n}", birth_date=date(1940, 1, 1), status="退休",
                             created_at=now, updated_at=now, groups=groups,
                             died_on=date(2026, 1, 1) if n == 1 else None)
            session.add(person)
            if n == 3:
                continue  # never bound: nobody to tag
            openid = f"o_member_{n:04d}"
            session.add(Follower(openid=openid, first_seen_at=now, active=(n != 5)))
            session.add(Binding(openid=openid, retiree=person, role="self", bound_at=now))
            if n not in (1, 5):  # the deceased and the one who unfollowed get no pushes
                for g in groups:
                    openids[g.name].append(openid)
    return openids


def members(standin: StandinServer, tag_name: str) -> set[str]:
    """Who carries the tag on the stand-in's side, which is what WeChat would use."""
    tag = next(t for t in standin.state.tags.values() if t.name == tag_name)
    return set(tag.members)


def test_sync_creates_tags_and_tags_members_in_batches_of_50(api_services: Services,
                                                             standin: StandinServer) -> None:
    wanted = populate(api_services)
    report = sync_tags(api_services, actor="wangli")
    assert sorted(report.created) == ["书法班", "第一党支部", "第二党支部"] and not report.problems
    batches = standin.calls(path="cgi-bin/tags/members/batchtagging")
    assert batches and all(len(c.body["openid_list"]) <= 50 for c in batches)
    assert all(c.errcode == 0 for c in batches)
    for name, openids in wanted.items():
        assert members(standin, name) == set(openids), name
    with api_services.sessions() as session:
        assert all(g.wechat_tag_id for g in session.scalars(sa.select(Group)))
        [logged] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "group.sync"))
    assert logged.actor == "wangli" and logged.detail["tagged"] == sum(len(o) for o in wanted.values())
    assert sorted(logged.detail["created"]) == ["书法班", "第一党支部", "第二党支部"]


def test_a_second_sync_only_changes_what_changed(api_services: Services,
                                                 standin: StandinServer) -> None:
    wanted = populate(api_services)
    sync_tags(api_services, actor="wangli")
    gone = wanted["第一党支部"][0]
    with api_services.sessions.begin() as session:
        session.scalars(sa.select(Binding).where(Binding.openid == gone)).one().unbound_at = (
            api_services.clock.now())
    report = sync_tags(api_services, actor="wangli")
    assert (report.created, report.tagged) == ([], 0)
    assert gone not in members(standin, "第一党支部")
    assert report.untagged >= 1


def test_the_100_tag_limit_is_a_clear_message_and_the_rest_still_syncs(settings, clock) -> None:
    limited = StandinSettings(appid=settings.wechat.appid, secret=settings.wechat.secret,
                              max_tags=2, now=lambda: clock.now().timestamp())
    with StandinServer(limited) as standin:
        wired = replace(settings, wechat=replace(settings.wechat, api_base_url=standin.base_url))
        services = build_services(wired, clock=clock)
        try:
            populate(services, branch_size=10)
            report = sync_tags(services, actor="wangli")
        finally:
            services.close()
    assert len(report.created) == 2
    assert len(report.problems) == 1 and "100 个上限" in report.problems[0]


def test_a_tag_made_by_hand_is_never_taken_over(api_services: Services,
                                                standin: StandinServer) -> None:
    api_services.wechat.tag.create("第一党支部")  # made in the admin panel by someone
    populate(api_services, branch_size=10)
    report = sync_tags(api_services, actor="wangli")
    assert any("已有同名标签" in p for p in report.problems)
    assert members(standin, "第一党支部") == set()
    assert members(standin, "第二党支部")  # the other groups still synced


def test_a_failed_batch_is_reported_and_the_rest_goes_on(api_services: Services,
                                                        standin: StandinServer) -> None:
    wanted = populate(api_services, branch_size=10)
    crowded = wanted["第一党支部"][0]
    for n in range(20):  # this user already carries WeChat's maximum of 20 tags
        tag = api_services.wechat.tag.create(f"其他标签{n}")
        api_services.wechat.tag.tag_user(tag["id"], [crowded])
    report = sync_tags(api_services, actor="wangli")
    assert any("有 1 人这次没有同步上" in p and "45059" in p for p in report.problems)
    assert members(standin, "第二党支部") == set(wanted["第二党支部"])
    assert members(standin, "第一党支部") == set(wanted["第一党支部"]) - {crowded}
    assert members(standin, "书法班") == set(wanted["书法班"]) - {crowded}
