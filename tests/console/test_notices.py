"""通知 in the console: a clerk writes one, sees whom it reaches and by which channel before it
goes, sends it once however often the form is submitted, follows it on its page, and cancels
what has not gone; bad input is named by field and sends nothing; 查看 reads only."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import Activity, AuditEntry, Notice, OutboxMessage, OutboxStatus
from bot.services import Services
from bot.standin.server import StandinServer
from tests.console.conftest import clerk
from tests.console.helpers import Clerk
from tests.office_fixtures import Branch

CUSTOM = "cgi-bin/message/custom/send"


def text(response) -> str:
    return response.get_data(as_text=True)


def copies(services: Services) -> list[OutboxMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def form(worker: Clerk, **fields: object) -> dict[str, object]:
    """The new-notice form as the page gives it (with its one-time key), filled in: to 第一支部
    unless another audience is given."""
    page = text(worker.get("/console/notices/new"))
    key = page.split('name="form_key" value="')[1].split('"')[0]
    to_branch = {} if "audience" in fields else {"audience": "groups", "groups": "第一支部"}
    return {"form_key": key, "when": "now", "text": "12 月 5 日上午九点集中学习。"} | to_branch | fields


def test_the_reach_is_shown_by_channel_with_whom_to_call_before_anything_is_sent(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    checked = worker.post("/console/notices/new", form(worker, action="check"))
    page = text(checked)
    assert checked.status_code == 200 and "将发给 3 人" in page and "确认发送" in page
    assert "客服消息</dt><dd>1 个微信" in page  # 张明 wrote lately; 李华 and 孙兰's daughter did not
    assert "信箱</dt><dd>2 个微信" in page
    assert "王芳" in page and "13900000003" in page and "未绑定微信" in page  # call her
    assert "钱进" in page and "已取消关注公众号" in page and "已故 1 人" in page
    assert copies(desk) == []


def test_sending_queues_one_copy_each_once_however_often_the_form_is_submitted(
        worker: Clerk, desk: Services, branch: Branch, standin: StandinServer) -> None:
    standin.open_window("o_zhang")
    filled = form(worker, action="send", title="学习通知")
    first = worker.post("/console/notices/new", filled)
    second = worker.post("/console/notices/new", filled)  # a double click, or back and send again
    assert first.headers["Location"] == second.headers["Location"]
    with desk.sessions() as session:
        [notice] = session.scalars(sa.select(Notice)).all()
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "notice.send")).one()
    assert entry.actor == "console:wangli" and len(copies(desk)) == 3
    outbox.drain(desk)
    [call] = standin.calls(path=CUSTOM)
    assert call.body["text"]["content"] == "【学习通知】\n12 月 5 日上午九点集中学习。"
    page = text(worker.get(f"/console/notices/{notice.id}"))
    assert 'aria-current="page">通知<' in page  # the menu shows which room a notice is in
    assert "谁发的</dt><dd>wangli同志（wangli）" in page
    assert "已发出</dt><dd data-status=\"sent\">1" in page and "客服消息</dt><dd>1" in page
    assert "没送到的 4 人" in page and "等本人下次发消息" in page and "13900000003" in page


def test_a_time_typed_beside_send_now_is_asked_about_and_nothing_goes(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    """A notice meant for tomorrow at eight, with 「现在发」 left ticked, had gone out at once."""
    later = (desk.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT08:00")
    refused = worker.post("/console/notices/new", form(worker, action="send", when="now", at=later))
    page = text(refused)
    assert refused.status_code == 400 and "却选了「现在发」" in page and later in page
    assert copies(desk) == []


def test_a_scheduled_notice_can_be_cancelled_before_it_goes(worker: Clerk, desk: Services,
                                                            branch: Branch) -> None:
    later = (desk.clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    sent = worker.post("/console/notices/new", form(worker, action="send", when="later", at=later))
    page = text(worker.get(sent.headers["Location"]))
    # Not its time yet: nothing is going, and nobody is to be phoned about it yet.
    assert "会在" in page and "定于" in page and "正在发送" not in page and 'hx-trigger="every 2s"' in page
    assert "发出时收不到的" in page and "到时请打电话" in page and "没送到的" not in page
    outbox.drain(desk)
    assert {c.status for c in copies(desk)} == {OutboxStatus.PENDING}  # not yet its time
    number = sent.headers["Location"].rsplit("/", 1)[1]
    asked = text(worker.post(f"/console/notices/{number}/cancel"))  # asked once more: it cannot be resumed
    assert "还没发出的 3 份吗？停止以后不能恢复" in asked and "确定停止</button>" in asked
    assert {c.status for c in copies(desk)} == {OutboxStatus.PENDING}
    stopped = worker.post(f"/console/notices/{number}/cancel", {"confirmed": "1"})
    after = text(worker.get(stopped.headers["Location"]))
    assert "已停止 3 份" in after and "没送到的 0 人" in after  # a stopped copy is no one to phone
    assert {c.status for c in copies(desk)} == {OutboxStatus.CANCELLED}
    assert 'hx-trigger="every 2s"' not in text(worker.get(f"/console/notices/{number}"))


def test_each_problem_is_named_by_its_field_and_what_was_typed_stays(worker: Clerk, desk: Services,
                                                                     branch: Branch) -> None:
    bad = worker.post("/console/notices/new", form(
        worker, action="send", text="", title="标" * 21, audience="people", people="张明\n无此人",
        when="later", at=(desk.clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")))
    page = text(bad)
    assert bad.status_code == 400 and "有 4 处要改" in page
    assert "通知内容是空的" in page and "标题太长" in page and "「无此人」：名册里没有" in page
    assert "这个时间已经过去了" in page and "张明\n无此人" in page
    assert copies(desk) == []


def test_chosen_people_by_name_or_number_and_a_link_to_an_activity(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    now = desk.clock.now()
    with transaction(desk.sessions) as session:
        trip = Activity(title="秋游植物园", place="植物园", starts_at=now + timedelta(days=5),
                        deadline=now + timedelta(days=3), cancel_until=now + timedelta(days=4), capacity=20,
                        groups=["all"],
                        created_at=now, updated_at=now)
        session.add(trip)
        session.flush()
        trip_id = trip.id
    page = text(worker.get("/console/notices/new"))
    assert "活动：秋游植物园" in page
    worker.post("/console/notices/new", form(worker, action="send", audience="people",
                                             people="张明、周平", link=f"activity:{trip_id}"))
    sent = copies(desk)
    assert sorted(c.recipient for c in sent) == ["o_zhang", "o_zhou"]
    assert "活动「秋游植物园」" in str(sent[0].payload) and "回复「报名」" in str(sent[0].payload)
    assert "链接 活动：秋游植物园（" in text(worker.get("/console/audit?action=notice.send"))


def test_a_branch_account_writes_to_its_own_branch_only(console_app, desk: Services, branch: Branch) -> None:
    secretary = clerk(console_app, desk, "zhibu", "staff", group="第一支部")
    page = text(secretary.get("/console/notices/new"))
    assert "第一支部" in page and "第二支部" not in page and 'value="all"' not in page
    refused = secretary.post("/console/notices/new", form(secretary, action="send", audience="people",
                                                          people="周平"))
    assert refused.status_code == 400 and "名册里没有" in text(refused)
    everyone = secretary.post("/console/notices/new", form(secretary, action="send", audience="all"))
    assert everyone.status_code == 400 and copies(desk) == []


def test_a_viewer_reads_the_notices_but_cannot_send_or_cancel(worker: Clerk, viewer: Clerk,
                                                              desk: Services, branch: Branch) -> None:
    sent = worker.post("/console/notices/new", form(worker, action="send"))
    number = sent.headers["Location"].rsplit("/", 1)[1]
    page = text(viewer.get(f"/console/notices/{number}"))
    assert "*******0003" in page and "13900000003" not in page
    assert "写通知" not in text(viewer.get("/console/notices"))
    assert viewer.get("/console/notices/new").status_code == 403
    assert viewer.post(f"/console/notices/{number}/cancel").status_code == 403
    sending = {"action": "send", "audience": "all", "text": "好"}
    assert viewer.post("/console/notices/new", sending).status_code == 403


def test_a_notice_nobody_can_receive_says_so_and_is_not_sent(worker: Clerk, desk: Services,
                                                             branch: Branch) -> None:
    checked = text(worker.post("/console/notices/new", form(worker, action="check", audience="people",
                                                            people="王芳")))
    assert "一个人也发不到" in checked and "确认发送" not in checked and "13900000003" in checked
    refused = worker.post("/console/notices/new",
                          form(worker, action="send", audience="people", people="王芳"))
    assert refused.status_code == 400 and "通知没有发" in text(refused) and copies(desk) == []


def test_a_persons_page_opens_the_form_with_them_chosen(worker: Clerk, branch: Branch) -> None:
    person = text(worker.get(f"/console/people/{branch.ids['李华']}"))
    assert "给李华发通知" in person
    page = text(worker.get("/console/notices/new?people=李华"))
    assert 'value="people" checked' in page and ">李华</textarea>" in page


def test_a_branch_reaches_its_own_group_not_another_kind_of_the_same_name(
        console_app, desk: Services, branch: Branch) -> None:
    from bot.models import Group, GroupMember

    secretary = clerk(console_app, desk, "zhibu", "staff", group="第一支部")
    with transaction(desk.sessions) as session:  # an area that happens to have the same name
        area = Group(kind="居住片区", name="第一支部")
        session.add(area)
        session.flush()
        session.add(GroupMember(group_id=area.id, retiree_id=branch.ids["周平"]))
    checked = text(secretary.post("/console/notices/new", form(secretary, action="check")))
    assert "将发给 3 人" in checked  # 张, 李, 孙: not 周平 of the area
    secretary.post("/console/notices/new", form(secretary, action="send"))
    assert "o_zhou" not in {c.recipient for c in copies(desk)}


def test_everyone_left_chosen_with_a_group_ticked_is_asked_not_sent_to_all(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    both = {"groups": "第一支部", "people": "张明"}
    for chosen, also in (("all", {"groups": "第一支部"}), ("groups", both), ("people", both)):
        mixed = worker.post("/console/notices/new", form(worker, action="send", audience=chosen, **also))
        page = text(mixed)
        assert mixed.status_code == 400 and "请只留一种" in page, chosen
        assert "确认发送" not in page and "将发给" not in page
    assert copies(desk) == []
    with desk.sessions() as session:
        assert session.scalars(sa.select(Notice)).all() == []


def test_a_time_a_year_out_or_at_night_is_refused_and_the_year_shown_when_not_this_ones(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    """2027-12-30 typed for 2026-12-30 had been taken, the page saying 「12月30日 09:00 发出」."""
    today = desk.clock.now()
    year_out = f"{today.year + 1}-{today:%m-%d}T09:00"
    refused = worker.post("/console/notices/new", form(worker, action="send", when="later", at=year_out))
    assert refused.status_code == 400 and "年份或月份是不是填错了" in text(refused)
    assert f"{today.year + 1}年" in text(refused)
    night = (today + timedelta(days=1)).strftime("%Y-%m-%dT23:00")
    refused = worker.post("/console/notices/new", form(worker, action="send", when="later", at=night))
    assert refused.status_code == 400 and "免得吵醒老同志" in text(refused)
    new_year = f"{today.year + 1}-01-04T09:00"  # within three months of December: shown with its year
    checked = text(worker.post("/console/notices/new", form(worker, when="later", at=new_year)))
    assert f"{today.year + 1}年1月4日 09:00 发出" in checked
    assert copies(desk) == []
