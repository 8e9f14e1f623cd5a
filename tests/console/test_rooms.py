"""The console's other rooms: 今日 (what needs someone today, linked to where it is handled, by
scope), 分组 (add, rename, members; read-only for 查看), 操作记录 (filters, before and after),
账号 (administrators only: add with a one-time password, disable, reset)."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from bot import audit
from bot.clock import FixedClock
from bot.console.activities import ACTIONS
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import (
    AuditEntry,
    CareReport,
    Group,
    GroupMember,
    OutboxMessage,
    OutboxStatus,
    Retiree,
    StaffAccount,
    StudyReading,
    Ticket,
)
from bot.services import Services
from bot.staff.accounts import StaffError, change_role
from tests.activities.helpers import load_activity
from tests.console.conftest import clerk
from tests.console.helpers import Clerk, account
from tests.office_fixtures import Branch, add_person


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def busy_day(desk: Services, branch: Branch, tmp_path: Path) -> Branch:
    """A fall reported yesterday, a critical illness just now, 留言 old and new, a message that
    did not get through, 张明's birthday in three days, an activity with a seat taken."""
    now = desk.clock.now()
    ids = branch.ids
    with transaction(desk.sessions) as session:
        session.add_all([
            CareReport(openid="o_li", retiree_id=ids["李华"], kind="fall", subject="self", text="我摔了一跤",
                       created_at=now - timedelta(days=1)),
            CareReport(openid="o_zhou", retiree_id=ids["周平"], kind="critical", subject="self",
                       text="住进ICU了", created_at=now - timedelta(minutes=5)),
            Ticket(openid="o_zhang", retiree_id=ids["张明"], text="暖气不热",
                   created_at=now - timedelta(days=3)),
            Ticket(openid="o_zhou", retiree_id=ids["周平"], text="想问体检",
                   created_at=now - timedelta(hours=1)),
        ])
        outbox.enqueue(session, recipient="o_li", text="通知", dedupe_key="t:1", now=now,
                       retiree_id=ids["李华"])
        session.execute(sa.update(OutboxMessage).values(status=OutboxStatus.DEAD))
        session.get(Retiree, ids["张明"]).birth_date = (now + timedelta(days=3)).date().replace(year=1936)
    load_activity(desk, tmp_path, capacity=30)
    return branch


def test_today_puts_the_critical_first_and_links_each_line(worker: Clerk, desk: Services,
                                                           busy_day: Branch) -> None:
    page = text(worker.get("/console/today"))
    care = page[page.index("重要情况"):page.index("留言待回复")]
    assert care.index("周平") < care.index("李华")  # 病危 before a fall reported earlier
    assert f'/console/people/{busy_day.ids["周平"]}#care' in care
    tickets = page[page.index("留言待回复"):page.index("没送到的消息")]
    assert f"超过 {desk.settings.staff.ticket_overdue_hours} 小时 1 条" in tickets and "暖气不热" in tickets
    undelivered = page[page.index("没送到的消息"):page.index("生日")]
    assert "李华" in undelivered and "13800000000" in undelivered and "没送到" in undelivered
    assert "张明" in page[page.index("生日"):page.index("上门祝寿")] and "90 岁" in page
    activities = page[page.index("近期活动"):page.index("本月学习")]
    assert "已报 0/30 个位置" in activities


def test_a_branch_account_sees_its_own_people_only(console_app: Flask, desk: Services,
                                                   busy_day: Branch) -> None:
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    page = text(secretary.get("/console/today"))
    assert "周平" in page and "住进ICU了" in page
    assert "李华" not in page and "暖气不热" not in page


def test_the_study_counts_on_today_are_at_most_five_minutes_old(worker: Clerk, desk: Services,
                                                                clock: FixedClock, branch: Branch) -> None:
    def first_branch() -> list[str]:
        page = text(worker.get("/console/today"))
        return re.search(r"<td>第一支部</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page).groups()
    assert first_branch() == ("5", "0", "0")  # 赵强 has died: five living members
    with transaction(desk.sessions) as session:
        session.add(StudyReading(retiree_id=branch.ids["张明"], month="2026-11", read_at=clock.now(),
                                 via="page"))
    assert first_branch() == ("5", "0", "0")
    assert "09:30 统计" in text(worker.get("/console/today"))
    clock.advance(minutes=5)
    assert first_branch() == ("5", "1", "1")


def test_a_viewer_sees_today_with_phones_masked_and_no_health_words(viewer: Clerk, busy_day: Branch) -> None:
    page = text(viewer.get("/console/today"))
    assert "13800000000" not in page and "*******0000" in page
    assert "住进ICU了" not in page and "病危" in page  # what kind of report, not what it says
    assert "操作记录" not in page  # a room it may not open is not in its menu


def test_groups_are_added_renamed_and_filled(worker: Clerk, desk: Services, branch: Branch) -> None:
    worker.get("/console/groups")
    worker.post("/console/groups", {"kind": "老年大学班级", "name": "书法班"})
    assert "书法班" in text(worker.get("/console/groups"))
    again = worker.post("/console/groups", {"kind": "老年大学班级", "name": "书法班"})
    assert again.status_code == 400 and "已经有" in text(again)
    assert 'value="书法班"' in text(again) and "<option selected>老年大学班级</option>" in text(again)
    with desk.sessions() as session:
        calligraphy = session.scalar(sa.select(Group.id).where(Group.name == "书法班"))
    refused = worker.post(f"/console/groups/{calligraphy}/rename", {"name": "全体"})
    assert refused.status_code == 400 and "不能做分组名称" in text(refused)
    assert 'value="全体"' in text(refused)  # the name as typed, not the one on file
    worker.post(f"/console/groups/{calligraphy}/rename", {"name": "书法一班"})
    worker.post(f"/console/groups/{calligraphy}/members", {"action": "add", "retiree_id": branch.ids["张明"]})
    page = text(worker.get(f"/console/groups/{calligraphy}"))
    assert "书法一班" in page and "张明" in page
    out = worker.post(f"/console/groups/{calligraphy}/members",
                      {"action": "remove", "retiree_id": branch.ids["张明"]})
    assert "已把张明移出分组" in text(worker.get(out.headers["Location"]))  # whom, not only 已移出
    for everyone in ("全体", "ALL"):  # would read as everyone in 通知 and 活动
        refused = worker.post("/console/groups", {"kind": "其他", "name": everyone})
        assert "指所有人，不能做分组名称" in text(refused)
    with desk.sessions() as session:
        assert not session.scalars(sa.select(GroupMember).where(GroupMember.group_id == calligraphy)).all()
        actions = session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("group%"))).all()
    assert len(actions) == 4  # added, renamed, a member in, a member out


def test_branches_are_listed_in_reading_order_everywhere_a_clerk_picks_one(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    for name in ("第十一支部", "第三支部", "第十支部"):
        worker.get("/console/groups")
        worker.post("/console/groups", {"kind": "党支部", "name": name})
    for path in ("/console/groups", "/console/notices/new", "/console/activities/new", "/console/people"):
        page = text(worker.get(path))
        at = [page.index(n) for n in ("第一支部", "第二支部", "第三支部", "第十支部", "第十一支部")]
        assert at == sorted(at), path  # by the characters' codes 第三 came before 第二, 第十一 before 第十


def test_a_group_search_finds_people_to_add(worker: Clerk, desk: Services, branch: Branch) -> None:
    with desk.sessions() as session:
        second = session.scalar(sa.select(Group.id).where(Group.name == "第二支部"))
    page = text(worker.get(f"/console/groups/{second}?q=zm"))
    assert "张明" in page and "加入" in page


def test_a_big_group_shows_its_members_a_hundred_at_a_time(worker: Clerk, desk: Services,
                                                             branch: Branch) -> None:
    with transaction(desk.sessions) as session:
        area = Group(kind="居住片区", name="城东片区")
        session.add(area)
        session.flush()
        for n in range(105):
            person = add_person(session, desk.clock.now(), f"城东{n:03d}")
            session.add(GroupMember(group_id=area.id, retiree_id=person.id))
        area_id = area.id
    first = text(worker.get(f"/console/groups/{area_id}"))
    assert "105 人" in first and first.count(">移出</button>") == 100 and "下一页" in first
    second = text(worker.get(f"/console/groups/{area_id}?page=2"))
    assert second.count(">移出</button>") == 5 and "第 101–105 人" in second and "上一页" in second


def test_a_branch_account_cannot_add_someone_else_to_see_them(console_app: Flask, desk: Services,
                                                              branch: Branch) -> None:
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    with desk.sessions() as session:
        second = session.scalar(sa.select(Group.id).where(Group.name == "第二支部"))
    secretary.get(f"/console/groups/{second}")
    refused = secretary.post(f"/console/groups/{second}/members",
                             {"action": "add", "retiree_id": branch.ids["张明"]})
    assert refused.status_code == 404
    assert secretary.get(f"/console/people/{branch.ids['张明']}").status_code == 404


def test_a_viewer_cannot_change_groups(viewer: Clerk, desk: Services, branch: Branch) -> None:
    viewer.get("/console/groups")
    assert viewer.post("/console/groups", {"kind": "党支部", "name": "第三支部"}).status_code == 403
    with desk.sessions() as session:
        assert session.scalar(sa.select(Group.id).where(Group.name == "第三支部")) is None


def test_a_form_without_its_token_changes_nothing(worker: Clerk, desk: Services, branch: Branch) -> None:
    refused = worker.post("/console/groups", {"kind": "党支部", "name": "第三支部"}, token=False)
    assert refused.status_code == 400 and "请刷新页面后再试" in text(refused)
    with desk.sessions() as session:
        assert session.scalar(sa.select(Group.id).where(Group.name == "第三支部")) is None


def test_the_audit_log_filters_by_who_what_and_when(worker: Clerk, admin: Clerk, desk: Services,
                                                    branch: Branch) -> None:
    worker.get("/console/groups")
    worker.post("/console/groups", {"kind": "党支部", "name": "第三支部"})
    admin.get("/console/accounts")
    admin.post("/console/accounts", {"username": "xiaoliu", "role": "viewer", "display_name": "小刘"})
    everything = logged(admin, "")
    assert "添加分组" in everything and "新建账号" in everything
    assert "角色 查看" in everything and "role=" not in everything  # details in words
    by_worker = logged(admin, "actor=console:wangli")
    assert "添加分组" in by_worker and "新建账号" not in by_worker
    day = desk.clock.now().date()
    assert "添加分组" not in logged(admin, f"until={day - timedelta(days=1)}")
    assert "添加分组" in logged(admin, f"since={day}&action=group.add")


def logged(clerk_: Clerk, query: str) -> str:
    """The audit log's lines (the table, not the filters' choices) for a query."""
    page = text(clerk_.get(f"/console/audit?{query}"))
    return page[page.index("<tbody>"):page.index("</tbody>")] if "<tbody>" in page else ""


def test_only_staff_who_see_private_details_and_the_whole_office_read_the_audit_log(
        viewer: Clerk, console_app: Flask, desk: Services) -> None:
    assert viewer.get("/console/audit").status_code == 403
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    assert secretary.get("/console/audit").status_code == 403


# An action recorded in the audit log: the string given as `action=` (or chosen between two).
RECORDED = re.compile(r'\baction\s*=\s*("[^"]+"(?:\s+if\s+.+?\s+else\s+"[^"]+")?)')
ACTION_CODE = re.compile(r'"([a-z_]+\.[a-z_]+)"')


def test_every_action_recorded_and_its_details_are_named_in_chinese_on_the_audit_page(
        admin: Clerk, desk: Services) -> None:
    recorded = {f"activity.{action}" for action in ACTIONS}  # recorded as f"activity.{action}"
    details: set[str] = set()
    for path in (Path(__file__).parents[2] / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for line in source.splitlines():
            if found := RECORDED.search(line):
                recorded |= set(ACTION_CODE.findall(found.group(1)))
        details |= {keyword.arg for call in ast.walk(ast.parse(source)) if _is_audit_record(call)
                    for keyword in call.keywords if keyword.arg}
    assert {"activity.signup_add", "study.visit_done", "policy.teach"} <= recorded  # the scan finds them
    assert sorted(recorded - audit.ACTION_NAMES.keys()) == []
    assert {"signup", "questions", "rows"} <= details
    assert sorted(details - audit.DETAIL_NAMES.keys() - {"actor", "action", "at", "target", "changes"}) == []
    with transaction(desk.sessions) as session:
        person = add_person(session, desk.clock.now(), "汤春生")
        audit.record(session, actor="console:wangli", action="activity.signup_add", at=desk.clock.now(),
                     target="activity:1", signup=7)
        audit.record(session, actor="cli:root", action="roster.export", at=desk.clock.now(),
                     target="/srv/yinling/var/exports/名册-20261122.xlsx")
        audit.record(session, actor="console:wangli", action="notice.send", at=desk.clock.now(),
                     target="notice:1", audience="group:第一党支部;retiree:3,4",
                     send_at=desk.clock.now().isoformat(), retirees=[person.id])
        audit.record(session, actor="console:wangli", action="outbox.resend", at=desk.clock.now(),
                     target="outbox:9", was="dead")
        audit.record(session, actor="console:wangli", action="roster.edit", at=desk.clock.now(),
                     target=f"retiree:{person.id}", changes={"独居": [False, True]})
        audit.record(session, actor="cli:root", action="jobs.run", at=desk.clock.now(),
                     target="study_reminder", day="2026-11-22", queued={"study": 3, "staff": 1})
    shown = re.sub(r"<[^>]+>", "", logged(admin, ""))  # what the clerk reads
    # a job run by hand: the job and what it queued in words, not study_reminder and {'study': 3}
    assert "定时任务「学习日后补学提醒」" in shown and "排队条数 学习推送 3 条、工作人员提醒 1 条" in shown
    assert "原状态 发送失败" in shown and "独居：否 → 是" in shown  # words, not codes
    assert "电话报名（替人报名）" in shown and "报名的人 7" in shown  # a sign-up no longer there: its number
    # people by name, a time as clerks write it, whom a notice was for in words
    assert "人员 汤春生" in shown and "发送时间 2026-11-22 09:30" in shown
    assert "对象 分组 第一党支部、选定的 2 人" in shown and "+08:00" not in shown
    assert "命令行（root）" in shown and "名册-20261122.xlsx" in shown and "/srv/yinling" not in shown


def _is_audit_record(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit")


def test_an_administrator_adds_an_account_whose_password_is_shown_once(admin: Clerk, desk: Services,
                                                                       console_app: Flask) -> None:
    admin.get("/console/accounts")
    added = admin.post("/console/accounts", {"username": "xiaoliu", "role": "staff", "display_name": "小刘"})
    shown = text(admin.get(added.headers["Location"]))
    password = re.search(r"一次性密码：([a-z0-9-]+)", shown).group(1)
    assert password not in text(admin.get("/console/accounts"))  # shown once
    newcomer = Clerk(console_app.test_client())
    newcomer.get("/console/login")
    newcomer.post("/console/login", {"username": "xiaoliu", "password": password})
    assert newcomer.get("/console/today").headers["Location"] == "/console/password"  # their own first


def test_an_account_refused_comes_back_as_typed(admin: Clerk, desk: Services) -> None:
    """A login name with a space: refused, with the name, 王丽娟 and the role still in the form."""
    admin.get("/console/accounts")
    refused = admin.post("/console/accounts", {"username": "wang li", "role": "viewer",
                                               "display_name": "王丽娟"})
    page = text(refused)
    assert refused.status_code == 400 and "没有新建，改好再点「新建」" in page
    assert 'value="wang li"' in page and 'value="王丽娟"' in page
    assert '<option value="viewer" selected>' in page


def test_an_administrator_disables_and_resets_accounts(admin: Clerk, worker: Clerk, desk: Services) -> None:
    admin.get("/console/accounts")
    admin.post("/console/accounts/wangli/disable")
    assert account(desk, "wangli").disabled_at is not None
    assert worker.get("/console/today").status_code == 302  # signed out at once
    admin.post("/console/accounts/wangli/enable")
    reset = admin.post("/console/accounts/wangli/reset")
    assert "已重设 wangli 的密码" in text(admin.get(reset.headers["Location"]))
    assert account(desk, "wangli").must_change_password
    last = admin.post("/console/accounts/boss/disable")
    assert "管理员" in text(admin.get(last.headers["Location"]))
    assert account(desk, "boss").disabled_at is None  # the last administrator stays
    assert admin.post("/console/accounts/wangli/explode").status_code == 404


def test_an_administrator_changes_an_accounts_role_and_branch_but_the_last_admin_stays(
        admin: Clerk, worker: Clerk, desk: Services) -> None:
    """Made 工作人员 over the whole office, wangli becomes 查看 of 第二支部 (logged in words);
    the only 管理员 cannot lose the role, nor anyone change their own from the page."""
    with desk.sessions() as session:
        second = session.scalar(sa.select(Group.id).where(Group.name == "第二支部"))
    assert "保存角色和能看的人" in text(admin.get("/console/accounts"))
    changed = admin.post("/console/accounts/wangli/role", {"role": "viewer", "group": second})
    assert "角色由「工作人员」改为「查看」" in text(admin.get(changed.headers["Location"]))
    wangli = account(desk, "wangli")
    assert (wangli.role, wangli.group_id) == ("viewer", second)
    assert "角色：工作人员 → 查看" in text(admin.get("/console/audit?action=staff.role"))
    assert "能看的人：全部 → 只看 党支部：第二支部" in text(admin.get("/console/audit?action=staff.role"))
    admin.get("/console/accounts")
    for who, role, group, why in (("wangli", "chief", "", "不认识的角色"),
                                  ("boss", "staff", "", "不能在这里改自己的角色"),
                                  ("BOSS", "viewer", "", "不能在这里改自己的角色"),  # one's own, in capitals
                                  ("wangli", "staff", "abc", "所选的分组已不存在")):  # not read as 全部
        refused = admin.post(f"/console/accounts/{who}/role", {"role": role, "group": group})
        assert why in text(admin.get(refused.headers["Location"]))
    assert account(desk, "boss").role == "admin" and account(desk, "wangli").group_id == second
    with transaction(desk.sessions) as session, pytest.raises(StaffError, match="最后一个管理员"):
        change_role(session, "boss", "staff", "", actor="cli:test", now=desk.clock.now())


def test_an_administrator_is_over_the_whole_office_and_one_scoped_to_a_branch_manages_no_account(
        admin: Clerk, console_app: Flask, desk: Services, branch: Branch) -> None:
    """管理员 of one branch is refused (the form as typed); one made so before (changed in the
    database) sees no 账号 room and can neither add an office-wide account nor reset the office's
    administrator's password — through the page or by posting."""
    with desk.sessions() as session:
        second = session.scalar(sa.select(Group.id).where(Group.name == "第二支部"))
    admin.get("/console/accounts")
    refused = admin.post("/console/accounts", {"username": "shuji", "role": "admin", "group": second})
    assert refused.status_code == 400 and "能看的人只能是「全部」" in text(refused)
    added = admin.post("/console/accounts", {"username": "shuji", "role": "staff", "group": second})
    assert added.status_code == 302
    refused = admin.post("/console/accounts/shuji/role", {"role": "admin", "group": second})
    assert "能看的人只能是「全部」" in text(admin.get(refused.headers["Location"]))
    assert account(desk, "shuji").role == "staff"
    with transaction(desk.sessions) as session:  # an account made before the rule
        session.scalar(sa.select(StaffAccount).where(StaffAccount.username == "shuji")).role = "admin"
    scoped = clerk(console_app, desk, "shuji2", "staff", group="第二支部")
    with transaction(desk.sessions) as session:
        session.scalar(sa.select(StaffAccount).where(StaffAccount.username == "shuji2")).role = "admin"
    assert "账号" not in text(scoped.get("/console/today")).split("退出")[0]
    assert scoped.get("/console/accounts").status_code == 403
    assert scoped.post("/console/accounts", {"username": "sneaky", "role": "admin"}).status_code == 403
    assert scoped.post("/console/accounts/boss/reset").status_code == 403
    assert scoped.post("/console/accounts/shuji/role", {"role": "admin", "group": ""}).status_code == 403
    assert not account(desk, "boss").must_change_password and account(desk, "shuji").group_id == second
    # Nor does such an account count as another administrator: the office's last one stays one.
    with transaction(desk.sessions) as session, pytest.raises(StaffError, match="最后一个管理员"):
        change_role(session, "boss", "staff", "", actor="cli:test", now=desk.clock.now())


def test_only_administrators_manage_accounts(worker: Clerk, desk: Services) -> None:
    assert worker.get("/console/accounts").status_code == 403
    worker.get("/console/today")
    assert worker.post("/console/accounts", {"username": "sneaky", "role": "admin"}).status_code == 403
    assert worker.post("/console/accounts/wangli/role", {"role": "admin"}).status_code == 403
    with desk.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "staff.add", AuditEntry.target == "sneaky")) == 0
