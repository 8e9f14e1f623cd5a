"""名册 in the console: finding people as clerks do, a person's page by role, editing by the
import's rules with the audit log's before and after, a death, anonymising."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import AuditEntry, Group, GroupMember, OutboxMessage, OutboxStatus, Retiree
from bot.services import Services
from tests.console.conftest import clerk
from tests.console.helpers import Clerk
from tests.office_fixtures import Branch, add_person


@pytest.fixture
def zhang(desk: Services, branch: Branch) -> int:
    """张明 of 第一支部, with a number, a phone ending 6827, an address and poor health."""
    with transaction(desk.sessions) as session:
        person = session.get(Retiree, branch.ids["张明"])
        person.number, person.phone = "LT-0042", "18026566827"
        person.address, person.health = "幸福路 1 号", "长年有病"
        return person.id


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["zm", "ZM", "张明", "明", "6827", "LT-0042", "lt-0042", "180 2656 6827",
                                   "180-2656-6827", "張明", "６８２７"])
def test_a_clerk_finds_a_person_by_what_they_know(worker: Clerk, zhang: int, query: str) -> None:
    found = text(worker.get(f"/console/people?q={query}"))
    assert f"/console/people/{zhang}" in found and "找到 1 人" in found


def test_a_long_list_is_paged_not_cut(worker: Clerk, desk: Services, branch: Branch) -> None:
    with transaction(desk.sessions) as session:
        for n in range(60):
            add_person(session, desk.clock.now(), f"测试{n:02d}", phone=f"135000000{n:02d}")
    first = text(worker.get("/console/people?q=测试"))
    assert "找到 60 人，这是第 1–50 位" in first and "测试49" in first and "测试50" not in first
    assert "下一页" in first and "上一页" not in first
    second = text(worker.get("/console/people?q=测试&page=2"))
    assert "这是第 51–60 位" in second and "测试59" in second and "测试00" not in second
    assert "上一页" in second and "下一页" not in second


def test_a_surname_read_its_own_way_is_sorted_and_found_by_that_reading(
        worker: Clerk, desk: Services) -> None:
    # 曾 is Zēng as a surname: a clerk looks for 曾国华 among the Z's, not beside 蔡.
    with transaction(desk.sessions) as session:
        for name in ("蔡明", "曾国华", "张立", "解放", "谢兰"):
            add_person(session, desk.clock.now(), name)
    listed = text(worker.get("/console/people?q="))
    order = sorted(("蔡明", "曾国华", "张立", "解放", "谢兰"), key=listed.index)
    assert order == ["蔡明", "解放", "谢兰", "曾国华", "张立"]
    assert "解放" in text(worker.get("/console/people?q=xf"))


def test_a_phone_is_found_by_its_end_only(viewer: Clerk, zhang: int) -> None:
    assert "找到 1 人" in text(viewer.get("/console/people?q=566827"))
    middle = text(viewer.get("/console/people?q=02656"))  # digits from the middle of 18026566827
    assert f"/console/people/{zhang}" not in middle


def test_a_name_spaced_out_as_in_a_document_is_found(worker: Clerk, branch: Branch) -> None:
    assert f"/console/people/{branch.ids['张明']}" in text(worker.get("/console/people?q=张 明"))


def test_search_by_group_and_the_live_results_for_htmx(worker: Clerk, desk: Services, branch: Branch) -> None:
    with desk.sessions() as session:
        second = session.scalar(sa.select(Group.id).where(Group.name == "第二支部"))
    listed = text(worker.get(f"/console/people?group={second}"))
    assert "周平" in listed and "张明" not in listed
    partial = text(worker.get("/console/people?q=lh", headers={"HX-Request": "true"}))
    assert "李华" in partial and "<html" not in partial  # only the results, for htmx to swap in


def test_the_person_page_shows_what_the_office_knows_and_hides_private_details_from_viewers(
        worker: Clerk, console_app: Flask, desk: Services, zhang: int) -> None:
    page = text(worker.get(f"/console/people/{zhang}"))
    assert "18026566827" in page and "幸福路 1 号" in page and "长年有病" in page
    assert "本人" in page and "第一支部" in page and "<dd>1938-03-01" in page
    with transaction(desk.sessions) as session:  # known to the month, as the edit form shows it
        session.get(Retiree, zhang).birth_precision = "month"
    assert "<dd>1938-03</dd>" in text(worker.get(f"/console/people/{zhang}"))
    viewer = clerk(console_app, desk, "leader", "viewer")
    seen = text(viewer.get(f"/console/people/{zhang}"))
    assert "18026566827" not in seen and "*******6827" in seen
    assert "幸福路" not in seen and "长年有病" not in seen and "仅管理员、工作人员可见" in seen
    assert "编辑" not in seen and viewer.get(f"/console/people/{zhang}/edit").status_code == 403
    assert viewer.get("/console/roster/export").status_code == 403


def test_an_edit_that_does_not_read_changes_nothing_and_says_where(worker: Clerk, desk: Services,
                                                                   zhang: int) -> None:
    form = text(worker.get(f"/console/people/{zhang}/edit"))
    assert 'value="18026566827"' in form
    bad = worker.post(f"/console/people/{zhang}/edit",
                      _form(worker, zhang, phone="1802656", birth_date="1938.13", notes="长" * 1001))
    assert bad.status_code == 400
    page = text(bad)
    assert "有 3 处要改" in page and 'value="1802656"' in page  # what was typed is kept
    assert "太长了：最多 1000 个字，现在 1001 个" in page  # 备注 too: a page pasted by mistake
    with desk.sessions() as session:
        person = session.get(Retiree, zhang)
        assert person.phone == "18026566827" and person.notes != "长" * 1001
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "roster.edit")) == 0


def test_an_edit_is_saved_and_logged_with_before_and_after(worker: Clerk, desk: Services, zhang: int) -> None:
    done = worker.post(f"/console/people/{zhang}/edit",
                       _form(worker, zhang, phone="13911112222", branch="第二支部"))
    assert done.status_code == 302
    assert "已保存：联系电话、党支部" in text(worker.get(done.headers["Location"]))
    with desk.sessions() as session:
        [entry] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.edit")).all()
    assert entry.actor == "console:wangli" and entry.target == f"retiree:{zhang}"
    assert entry.detail["changes"] == {"联系电话": ["18026566827", "13911112222"],
                                       "党支部": ["第一支部", "第二支部"]}
    log = text(worker.get(f"/console/audit?target=retiree:{zhang}"))
    assert "修改档案" in log and "18026566827 → 13911112222" in log
    # read as a clerk reads: who by name, the person by name and linked, no codes
    assert "wangli同志（wangli）" in log and f'<a href="/console/people/{zhang}">张明</a>' in log
    assert "console:wangli" not in log and f">retiree:{zhang}<" not in log


def test_an_edit_saves_only_what_this_clerk_changed_and_asks_when_both_changed_one_field(
        console_app: Flask, worker: Clerk, desk: Services, zhang: int) -> None:
    stale = _form(worker, zhang, address="幸福路 2 号")  # opened, then left open a while
    colleague = clerk(console_app, desk, "lihua", "staff")
    colleague.post(f"/console/people/{zhang}/edit", _form(colleague, zhang, phone="13711112222"))
    done = worker.post(f"/console/people/{zhang}/edit", stale)
    assert "已保存：现住址。" in text(worker.get(done.headers["Location"]))
    with desk.sessions() as session:
        person = session.get(Retiree, zhang)
        assert (person.phone, person.address) == ("13711112222", "幸福路 2 号")  # the colleague's kept
    stale = _form(worker, zhang, phone="13900003333")
    colleague.post(f"/console/people/{zhang}/edit", _form(colleague, zhang, phone="13700004444",
                                                           address="幸福路 3 号"))
    asked = worker.post(f"/console/people/{zhang}/edit", stale)
    page = text(asked)
    assert asked.status_code == 400 and "别人把这一项改成了「13700004444」" in page
    assert 'value="13900003333"' in page  # what this clerk typed is still in the form
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).phone == "13700004444"  # nothing saved yet
    again = worker.post(f"/console/people/{zhang}/edit", _form_from(page, phone="13900003333"))
    assert again.status_code == 302
    with desk.sessions() as session:
        person = session.get(Retiree, zhang)  # this clerk's phone, the colleague's address
        assert (person.phone, person.address) == ("13900003333", "幸福路 3 号")


def test_a_group_that_does_not_exist_is_named_in_the_field(worker: Clerk, zhang: int) -> None:
    bad = worker.post(f"/console/people/{zhang}/edit", _form(worker, zhang, branch="第九支部"))
    assert bad.status_code == 400 and "没有叫“第九支部”的党支部" in text(bad)


def test_every_problem_of_an_edit_is_named_at_once(worker: Clerk, zhang: int) -> None:
    bad = text(worker.post(f"/console/people/{zhang}/edit",
                           _form(worker, zhang, branch="第九支部", phone="1391111222")))
    assert "有 2 处要改" in bad and "没有叫“第九支部”的党支部" in bad and "联系电话" in bad


def test_a_working_date_before_the_birth_date_is_refused_in_its_field(worker: Clerk, zhang: int) -> None:
    form = _form(worker, zhang, birth_date="1938-05-06", work_start="1928-09")
    bad = worker.post(f"/console/people/{zhang}/edit", form)
    assert bad.status_code == 400 and "早于出生日期（1938-05-06），请核对" in text(bad)


def test_recording_a_death_cancels_queued_greetings(worker: Clerk, desk: Services, zhang: int) -> None:
    with transaction(desk.sessions) as session:
        outbox.enqueue(session, recipient="o_zhang", text="生日快乐", dedupe_key="greeting:test",
                       now=desk.clock.now(), kind="greeting", retiree_id=zhang)
    worker.get(f"/console/people/{zhang}")
    future = worker.post(f"/console/people/{zhang}/died", {"died_on": "2099-01-01", "confirmed": "1"})
    assert "不能晚于今天" in text(worker.get(future.headers["Location"]))
    today = desk.clock.now().date().isoformat()
    asked = text(worker.post(f"/console/people/{zhang}/died", {"died_on": today}))
    assert f"确定登记张明同志于 {today} 去世吗" in asked and "还没发出的也都取消" in asked
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).died_on is None  # asked, nothing done yet
    worker.post(f"/console/people/{zhang}/died", {"died_on": today, "confirmed": "1"})
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).died_on == desk.clock.now().date()
        assert session.scalar(sa.select(OutboxMessage.status)) == OutboxStatus.CANCELLED


def test_anonymising_needs_the_name_typed(worker: Clerk, desk: Services, zhang: int) -> None:
    worker.get(f"/console/people/{zhang}")
    worker.post(f"/console/people/{zhang}/forget", {"confirm_name": "李华"})
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).anonymised_at is None
    worker.post(f"/console/people/{zhang}/forget", {"confirm_name": "张明"})
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).name.startswith("已匿名")


def test_a_forged_or_out_of_scope_id_is_not_found(console_app: Flask, desk: Services, worker: Clerk,
                                                  branch: Branch) -> None:
    assert worker.get("/console/people/999999").status_code == 404
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    assert secretary.get(f"/console/people/{branch.ids['张明']}").status_code == 404
    assert secretary.get(f"/console/people/{branch.ids['张明']}/edit").status_code == 404
    assert secretary.get(f"/console/people/{branch.ids['周平']}").status_code == 200
    assert "张明" not in text(secretary.get("/console/people"))
    assert "第一支部" not in text(secretary.get("/console/people"))  # nor another branch to filter by
    assert "第一支部" in text(worker.get("/console/people"))


def test_a_branch_account_cannot_move_a_person_out_of_its_branch(console_app: Flask, desk: Services,
                                                                 branch: Branch) -> None:
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    zhou = branch.ids["周平"]
    moved = secretary.post(f"/console/people/{zhou}/edit", _form(secretary, zhou, branch="第一支部"))
    assert moved.status_code == 400 and "您的账号只管「第二支部」，不能把人改到别的党支部" in text(moved)
    assert secretary.get(f"/console/people/{zhou}").status_code == 200  # still theirs
    both = secretary.post(f"/console/people/{zhou}/edit", _form(secretary, zhou, branch="第二支部、第一支部"))
    assert both.status_code == 400 and "不能把人改到别的党支部" in text(both)  # nor into another as well
    kept = secretary.post(f"/console/people/{zhou}/edit", _form(secretary, zhou, phone="13911112222"))
    assert kept.status_code == 302  # other fields still change


def test_a_new_person_in_a_scope_is_found_by_the_scope(console_app: Flask, desk: Services,
                                                       branch: Branch) -> None:
    with transaction(desk.sessions) as session:
        person = add_person(session, desk.clock.now(), "吴刚", phone="13512345678")
        second = session.scalar(sa.select(Group.id).where(Group.name == "第二支部"))
        session.add(GroupMember(group_id=second, retiree_id=person.id))
    secretary = clerk(console_app, desk, "shuji", "viewer", group="第二支部")
    assert "吴刚" in text(secretary.get("/console/people?q=wg"))


def _form(clerk_: Clerk, retiree_id: int, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it in, with some fields changed."""
    return _form_from(text(clerk_.get(f"/console/people/{retiree_id}/edit")), **changes)


def _form_from(page: str, **changes: str) -> dict[str, str]:
    """The edit form on page as a browser sends it, with some fields changed."""
    import re

    values = dict(re.findall(r'name="((?:shown\.)?[a-z0-9_]+)" value="([^"]*)"', page))  # as sent
    values |= dict(re.findall(r'<select id="f-[a-z0-9_]+" name="([a-z0-9_]+)"[^>]*>(?:(?!</select>).)*?'
                              r'<option value="([^"]*)" selected>', page, re.S))
    values |= dict(re.findall(r'<textarea id="f-[a-z0-9_]+" name="([a-z0-9_]+)"[^>]*>([^<]*)<', page))
    values.pop("csrf_token", None)
    return values | changes


def test_a_message_that_did_not_get_through_is_sent_again_from_the_persons_page(
        worker: Clerk, viewer: Clerk, desk: Services, zhang: int, branch: Branch) -> None:
    now = desk.clock.now()
    with transaction(desk.sessions) as session:
        for key in ("failed", "interrupted", "someone_elses"):
            outbox.enqueue(session, recipient="o_zhang", text=f"冬至茶话会改到三楼（{key}）", dedupe_key=key,
                           now=now, retiree_id=branch.ids["李华"] if key == "someone_elses" else zhang)
        rows = {m.dedupe_key: m for m in session.scalars(sa.select(OutboxMessage))}
        rows["failed"].status, rows["interrupted"].status = OutboxStatus.DEAD, OutboxStatus.UNCERTAIN
        rows["someone_elses"].status = OutboxStatus.DEAD
        ids = {key: row.id for key, row in rows.items()}
    page = text(worker.get(f"/console/people/{zhang}"))
    assert page.count("重新发送</button>") == 1 and page.count("重新发送</a>") == 1  # the interrupted: asked
    assert "重新发送" not in text(viewer.get(f"/console/people/{zhang}"))
    assert viewer.post(f"/console/people/{zhang}/messages/{ids['failed']}/resend").status_code == 403
    assert worker.post(f"/console/people/{zhang}/messages/{ids['someone_elses']}/resend").status_code == 404
    worker.post(f"/console/people/{zhang}/messages/{ids['failed']}/resend")
    asked = text(worker.get(f"/console/people/{zhang}/messages/{ids['interrupted']}/resend"))
    assert "微信可能已经送到" in asked  # asked first: it may have arrived
    assert worker.get(f"/console/people/{zhang}/messages/{ids['someone_elses']}/resend").status_code == 404
    def statuses() -> dict[str, str]:
        with desk.sessions() as session:
            return {m.dedupe_key: m.status for m in session.scalars(sa.select(OutboxMessage))}
    assert statuses() == {"failed": "pending", "interrupted": "uncertain", "someone_elses": "dead"}
    worker.post(f"/console/people/{zhang}/messages/{ids['interrupted']}/resend", {"confirmed": "1"})
    assert "已重新排队" in text(worker.get(f"/console/people/{zhang}"))
    assert statuses()["interrupted"] == "pending"
    worker.post(f"/console/people/{zhang}/messages/{ids['failed']}/resend")  # twice: nothing more
    assert "没有再发" in text(worker.get(f"/console/people/{zhang}"))
    with desk.sessions() as session:
        resent = session.scalars(sa.select(AuditEntry.target)
                                 .where(AuditEntry.action == "outbox.resend")).all()
    assert sorted(resent) == sorted([f"outbox:{ids['failed']}", f"outbox:{ids['interrupted']}"])


def test_a_clerk_ends_a_wechat_binding_after_a_call_asked_once_more_and_logged(
        console_app: Flask, desk: Services, worker: Clerk, viewer: Clerk, admin: Clerk, branch: Branch,
        wechat) -> None:
    """孙兰's daughter changed phones: the office ends the old WeChat's binding, as the chat tells
    people to phone for. Asked once more first; a viewer cannot; the old WeChat then acts for
    nobody; the log says whose binding it was."""
    from bot.models import Binding
    from tests.helpers import Chat

    sun = branch.ids["孙兰"]
    with desk.sessions() as session:
        binding = session.scalar(sa.select(Binding).where(Binding.openid == "o_sun_daughter"))
    path = f"/console/people/{sun}/bindings/{binding.id}/unbind"
    assert f'href="{path}"' in text(worker.get(f"/console/people/{sun}"))
    assert "解除绑定" not in text(viewer.get(f"/console/people/{sun}"))
    assert viewer.post(path, {"confirmed": "1"}).status_code == 403
    asked = text(worker.get(path))
    assert "确定解除孙兰同志家属（女儿）的微信绑定吗" in asked
    with desk.sessions() as session:
        assert session.get(Binding, binding.id).unbound_at is None  # asked, nothing done yet
    worker.post(path, {"confirmed": "1"})
    assert "已解除孙兰同志家属（女儿）的微信绑定。" in text(worker.get(f"/console/people/{sun}"))
    with desk.sessions() as session:
        assert session.get(Binding, binding.id).unbound_at is not None
        [logged] = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "binding.unbind"))
    assert logged.target == f"retiree:{sun}" and logged.detail["who"] == "家属（女儿）"
    assert "请告诉我" in (Chat(console_app.test_client(), wechat).say("报名", openid="o_sun_daughter") or "")
    assert worker.post(path, {"confirmed": "1"}).status_code == 404  # ended already


def test_a_clerk_adds_someone_just_retired_from_the_roster_page(worker: Clerk, desk: Services,
                                                                branch: Branch) -> None:
    """新增一人: the form the edit form is, read by the import's rules; the person's page after,
    and the audit log names the addition."""
    assert "/console/people/new" in text(worker.get("/console/people"))
    form = _form_from(text(worker.get("/console/people/new")), name="孙建国", birth_date="1948-06-01",
                      status="退休", branch="第一支部", phone="13911112222", number="LT-0100")
    added = worker.post("/console/people/new", form)
    assert added.status_code == 302
    page = text(worker.get(added.headers["Location"]))
    assert "已新增：孙建国" in page and "第一支部" in page
    with desk.sessions() as session:
        person = session.scalar(sa.select(Retiree).where(Retiree.name == "孙建国"))
        assert person.number == "LT-0100" and person.phone == "13911112222"
        assert session.scalar(sa.select(AuditEntry.action).where(
            AuditEntry.target == f"retiree:{person.id}")) == "roster.add"
    assert "新增一人" in text(worker.get("/console/audit?action=roster.add"))


def test_a_new_person_that_does_not_read_or_is_on_file_already_is_not_added(
        worker: Clerk, desk: Services, zhang: int) -> None:
    """A month typed wrong, a 编号 taken, the same name and birth date as someone on file: refused
    with the field named, the form as typed, nobody added."""
    with desk.sessions() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Retiree))
        born = session.get(Retiree, zhang).birth_date.isoformat()
    base = {"name": "钱学文", "birth_date": "1945-03-01", "status": "离休"}
    for changes, why in (({"birth_date": "1945-13-01"}, "出生日期"), ({"number": "lt-0042"}, "已经有人用了"),
                         ({"name": "张明", "birth_date": born}, "名册上已经有张明")):
        typed = base | changes
        refused = worker.post("/console/people/new", typed)
        assert refused.status_code == 400 and why in text(refused), changes
        assert "什么都还没保存" in text(refused) and f'value="{typed["name"]}"' in text(refused)
    with desk.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Retiree)) == before


def test_a_branch_account_adds_people_to_its_own_branch_only(console_app: Flask, desk: Services,
                                                             branch: Branch) -> None:
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    form = _form_from(text(secretary.get("/console/people/new")), name="郑和平", birth_date="1950-01-02",
                      status="退休")
    assert form["branch"] == "第二支部"  # chosen for them
    elsewhere = secretary.post("/console/people/new", form | {"branch": "第一支部"})
    assert elsewhere.status_code == 400 and "您的账号只管「第二支部」" in text(elsewhere)
    nowhere = secretary.post("/console/people/new", form | {"branch": ""})
    assert nowhere.status_code == 400 and "您的账号只管「第二支部」" in text(nowhere)
    assert secretary.post("/console/people/new", form).status_code == 302
    assert "郑和平" in text(secretary.get("/console/people?q=zhp"))


def test_a_viewer_adds_nobody(viewer: Clerk) -> None:
    assert viewer.get("/console/people/new").status_code == 403
    assert viewer.post("/console/people/new", {"name": "某人", "birth_date": "1950-01-01"}).status_code == 403
