"""活动 in the console: a clerk creates one with the loader's own checks (each problem by its
field, what was typed kept), people sign up in the chat, the clerk sees seats, companions and
the waitlist's order, cancels one sign-up and sees the first waiting move up (and told once),
ticks who came, exports the list, and cancels the activity (everyone told once)."""

from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from bot.clock import FixedClock
from bot.models import Activity, AuditEntry, OutboxMessage, Signup
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.activities.helpers import add_member, sign
from tests.console.conftest import clerk
from tests.console.helpers import Clerk
from tests.helpers import Chat
from tests.office_fixtures import Branch

TEA = {"title": "冬至茶话会", "kind": "茶话会", "place": "老干部活动中心二楼",
       "starts_at": "2026-12-21T14:30", "deadline": "2026-12-18T17:00", "cancel_until": "", "capacity": "3",
       "companion_seats": "1", "groups": "第一支部", "meeting_point": "", "transport": "",
       "notes": "请带上老年证", "contact": ""}


def text(response) -> str:
    return response.get_data(as_text=True)


def told(services: Services, like: str) -> list[OutboxMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like(like))))


def create(worker: Clerk, **fields: str) -> int:
    worker.get("/console/activities/new")
    saved = worker.post("/console/activities/new", TEA | fields)
    assert saved.status_code == 302, text(saved)
    return int(saved.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def chat(console_app: Flask, wechat: WeChatSide) -> Chat:
    return Chat(console_app.test_client(), wechat)


def test_a_bad_form_names_each_field_keeps_what_was_typed_and_saves_nothing(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    worker.get("/console/activities/new")
    bad = worker.post("/console/activities/new", TEA | {"capacity": "三十", "deadline": "2026-12-22T17:00",
                                                         "title": "", "groups": "第九支部"})
    page = text(bad)
    assert bad.status_code == 400 and "名称：必须填写" in page
    assert 'value="三十"' in page and "请带上老年证" in page
    fixed = worker.post("/console/activities/new", TEA | {"capacity": "三十"})
    assert "名额：应为 1 到 10000 的整数" in text(fixed)
    slip = worker.post("/console/activities/new", TEA | {"capacity": "999999999999"})  # past the integer
    assert slip.status_code == 400 and "名额：应为 1 到 10000 的整数" in text(slip)
    for unchosen in ({"everyone": "0", "groups": ""}, {"groups": ""}):  # it was taken for 全体
        nobody = worker.post("/console/activities/new", TEA | unchosen)
        assert nobody.status_code == 400 and "请选「全体」，或勾选至少一个分组" in text(nobody)
    worker.post("/console/activities/new", TEA | {"deadline": "2026-12-22T17:00"})
    late = worker.post("/console/activities/new", TEA | {"deadline": "2026-12-22T17:00"})
    assert "报名截止：应在活动开始之前" in text(late)
    assert "取消截止：" not in text(late)  # left empty: not a second problem of its own
    with desk.sessions() as session:
        assert session.scalars(sa.select(Activity)).all() == []


def test_announcing_an_activity_is_asked_once_more_naming_to_whom(
        worker: Clerk, desk: Services, branch: Branch) -> None:
    """One click had sent it to every phone of the groups, with no way back."""
    number = create(worker)
    asked = worker.post(f"/console/activities/{number}/announce", {})
    assert "确定把「冬至茶话会」发给第一支部吗" in text(asked) and "确定发通知" in text(asked)
    assert told(desk, f"activity:{number}:announce:%") == []
    worker.post(f"/console/activities/{number}/announce", {"confirmed": "1"})
    assert len(told(desk, f"activity:{number}:announce:%")) == 3


def test_the_waitlist_moves_up_when_a_clerk_cancels_a_sign_up(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker, announce="1")
    assert len(told(desk, f"activity:{number}:announce:%")) == 3  # 第一支部's three who can be told
    for name, openid in (("吴刚", "o_wu"), ("郑和", "o_zheng")):
        add_member(desk, name, openid)
    for openid in ("o_zhang", "o_li", "o_wu", "o_zheng", "o_sun_daughter"):
        sign(chat, openid, "1", "1")
    page = text(worker.get(f"/console/activities/{number}"))
    assert "报上 3 人，候补 2 人" in page and "还剩 <strong>0</strong> 座" in page
    assert page.index("候补第 1 位") < page.index("郑和") < page.index("候补第 2 位") < page.index("孙兰")
    assert "家属代报" in page  # 孙兰's daughter signed her up
    with desk.sessions() as session:
        first = session.scalars(sa.select(Signup).order_by(Signup.id)).first()
    zhang = str(branch.ids["张明"])
    asked = text(worker.post(f"/console/activities/{number}/signups/{first.id}/cancel", {"retiree": zhang}))
    assert "确定取消张明的报名吗" in asked and "确定取消张明的报名</button>" in asked
    assert told(desk, f"activity:{number}:promoted:%") == []  # asked, nothing done yet
    sure = {"retiree": zhang, "confirmed": "1"}
    worker.post(f"/console/activities/{number}/signups/{first.id}/cancel", sure)
    page = text(worker.get(f"/console/activities/{number}"))
    assert "已取消张明的报名。候补的 1 位补上了" in page and page.index("孙兰") > page.index("候补第 1 位")
    [promoted] = told(desk, f"activity:{number}:promoted:%")
    assert promoted.recipient == "o_zheng"
    worker.post(f"/console/activities/{number}/signups/{first.id}/cancel", sure)
    assert len(told(desk, f"activity:{number}:promoted:%")) == 1  # nobody moved twice, nobody told twice
    assert "没有找到这个报名，可能已经取消了。" in text(worker.get(f"/console/activities/{number}"))


def test_attendance_export_and_cancelling_tell_each_person_once(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker)
    for openid in ("o_zhang", "o_li"):
        sign(chat, openid, "1", "1")
    worker.get(f"/console/activities/{number}")
    worker.post(f"/console/activities/{number}/attendance", {"came": str(branch.ids["李华"])})
    with desk.sessions() as session:
        came = {s.retiree_id: s.attended for s in session.scalars(sa.select(Signup))}
    assert came == {branch.ids["张明"]: False, branch.ids["李华"]: True}
    sheet = load_workbook(BytesIO(worker.get(f"/console/activities/{number}/signups.xlsx").data)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["张明", "李华"]
    header = [c.value for c in sheet[1]]
    came, companion = header.index("到场"), header.index("家属陪同")
    assert [(row[came], row[companion]) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("否", "否"), ("是", "否")]
    assert sheet.title == "冬至茶话会 12-21"  # which activity the file is, on its tab
    page = text(worker.get(f"/console/activities/{number}"))
    assert f'href="/console/activities/{number}/cancel"' in page  # a link to the question, not a form
    asked = text(worker.get(f"/console/activities/{number}/cancel"))
    assert "已报上和候补的 2 位都会收到取消通知" in asked
    assert told(desk, f"activity:{number}:cancelled:%") == []  # asked, nothing sent yet
    for _ in range(2):
        worker.post(f"/console/activities/{number}/cancel", {"confirmed": "1"})
    assert sorted(m.recipient for m in told(desk, f"activity:{number}:cancelled:%")) == ["o_li", "o_zhang"]
    with desk.sessions() as session:
        actions = set(session.scalars(sa.select(AuditEntry.action)))
    assert {"activity.save", "activity.attendance", "activity.roster_export", "activity.cancel"} <= actions


def test_editing_keeps_the_waitlist_rules_and_a_viewer_only_reads(
        worker: Clerk, viewer: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker, capacity="1")
    for openid in ("o_zhang", "o_li"):
        sign(chat, openid, "1", "1")
    form = text(worker.get(f"/console/activities/{number}/edit"))
    assert 'value="2026-12-21T14:30"' in form and "请带上老年证" in form
    worker.post(f"/console/activities/{number}/edit", TEA | {"capacity": "2", "notes": ""})
    with desk.sessions() as session:
        activity = session.get(Activity, number)
        assert activity.capacity == 2 and activity.notes is None  # emptied in the form: cleared
    assert [m.recipient for m in told(desk, f"activity:{number}:promoted:%")] == ["o_li"]
    assert viewer.get(f"/console/activities/{number}").status_code == 200
    assert viewer.get(f"/console/activities/{number}/signups.xlsx").status_code == 403
    assert viewer.post(f"/console/activities/{number}/cancel").status_code == 403
    assert viewer.get("/console/activities/new").status_code == 403


def test_a_branch_account_sees_its_own_peoples_sign_ups_and_changes_nothing_office_wide(
        console_app: Flask, worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker, groups="", everyone="1", capacity="1")  # for everyone, one seat
    for openid in ("o_zhang", "o_li"):
        sign(chat, openid, "1", "1")  # 李华 waits: not the second branch's to count
    secretary = clerk(console_app, desk, "erzhibu", "staff", group="第二支部")
    assert "本支部报上 0 人，候补 0 人" in text(secretary.get(f"/console/activities/{number}"))
    sign(chat, "o_zhou", "1", "1")  # waits behind 李华
    page = text(secretary.get(f"/console/activities/{number}"))
    assert "周平" in page and "张明" not in page and "取消活动" not in page
    assert "本支部报上 0 人，候补 1 人" in page and "候补第 2 位" in page  # its place in the whole queue
    assert secretary.post(f"/console/activities/{number}/cancel").status_code == 403
    assert secretary.get(f"/console/activities/{number}/signups.xlsx").status_code == 403
    assert secretary.get("/console/activities/new").status_code == 403


def test_a_branch_account_signs_up_ticks_and_cancels_its_own_people_only(
        console_app: Flask, worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker, groups="", everyone="1")  # for everyone
    sign(chat, "o_zhang", "1", "1")
    worker.get(f"/console/activities/{number}")
    worker.post(f"/console/activities/{number}/attendance", {"came": str(branch.ids["张明"])})
    secretary = clerk(console_app, desk, "erzhibu", "staff", group="第二支部")
    found = text(secretary.get(f"/console/activities/{number}?who=周平"))
    assert "为周平报名</button>" in found
    secretary.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids["周平"])})
    assert "已为周平报名：报上了" in text(secretary.get(f"/console/activities/{number}"))
    assert secretary.post(f"/console/activities/{number}/signups",
                          {"retiree": str(branch.ids["李华"])}).status_code == 403  # 第一支部's
    secretary.post(f"/console/activities/{number}/attendance", {"came": str(branch.ids["周平"])})
    with desk.sessions() as session:
        signups = {s.retiree_id: s for s in session.scalars(sa.select(Signup))}
        zhang_signup = signups[branch.ids["张明"]].id
        assert {r: s.attended for r, s in signups.items()} == {branch.ids["张明"]: True,
                                                               branch.ids["周平"]: True}
    assert secretary.post(f"/console/activities/{number}/signups/{zhang_signup}/cancel",
                          {"retiree": str(branch.ids["张明"]), "confirmed": "1"}).status_code == 403
    secretary.post(f"/console/activities/{number}/signups/{signups[branch.ids['周平']].id}/cancel",
                   {"retiree": str(branch.ids["周平"]), "confirmed": "1"})
    with desk.sessions() as session:
        assert {s.retiree_id: s.status for s in session.scalars(sa.select(Signup))} == {
            branch.ids["张明"]: "confirmed", branch.ids["周平"]: "cancelled"}


def test_everyone_and_a_group_both_ticked_is_asked_not_guessed(worker: Clerk, desk: Services,
                                                              branch: Branch) -> None:
    worker.get("/console/activities/new")
    both = worker.post("/console/activities/new", TEA | {"everyone": "1"})
    assert both.status_code == 400 and "「全体」（all）和分组只能选一种" in text(both)
    with desk.sessions() as session:
        assert session.scalars(sa.select(Activity)).all() == []
    number = create(worker)
    with desk.sessions() as session:
        assert session.get(Activity, number).groups == ["第一支部"]


def test_a_seat_left_that_the_first_waiting_cannot_use_is_explained(
        console_app: Flask, worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker)  # 3 seats, one companion allowed
    sign(chat, "o_zhang", "1", "2")  # 张明 and a companion: 2 seats
    sign(chat, "o_sun_daughter", "1", "2")  # 孙兰 and a companion: 2 more than the 1 left, waits
    page = text(worker.get(f"/console/activities/{number}"))
    assert "还剩 <strong>1</strong> 座" in page
    assert "候补第 1 位孙兰要 2 个座位（带家属），空出的不够，先不补上" in page
    # 第二支部's secretary sees why, but not the name of 第一支部's 孙兰
    other = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    theirs = text(other.get(f"/console/activities/{number}"))
    assert "候补第 1 位（别的支部的人）要 2 个座位" in theirs and "孙兰" not in theirs


def test_a_clerk_signs_up_those_who_phone_in_with_the_chats_seats_and_waitlist(
        worker: Clerk, viewer: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker)  # 3 seats for 第一支部, a companion takes one more
    found = text(worker.get(f"/console/activities/{number}?who=王芳"))
    assert "为王芳报名</button>" in found and "带一位家属" in found

    def add(name: str, **extra: str) -> str:
        worker.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids[name]), **extra})
        return text(worker.get(f"/console/activities/{number}"))

    page = add("王芳")  # no WeChat: the clerk is told to phone back
    assert "已为王芳报名：报上了。微信联系不上（没有绑定或已取消关注），请打电话告诉本人。" in page
    assert "电话报名（工作人员代报）" in page
    page = add("孙兰", companion="1")  # her daughter's WeChat is told
    assert "已为孙兰报名：报上了（带家属）。已发微信通知。" in page and "还剩 <strong>0</strong> 座" in page
    [to_daughter] = told(desk, f"activity:{number}:by_staff:%")
    assert to_daughter.recipient == "o_sun_daughter"
    assert "工作人员已按电话里说的，为孙兰同志报上了【冬至茶话会】" in to_daughter.payload["text"]
    page = add("张明")  # full: he waits, told his place
    assert "已为张明报名：候补第 1 位。已发微信通知。" in page
    waiting = [m for m in told(desk, f"activity:{number}:by_staff:%") if m.recipient == "o_zhang"]
    assert "为您排上【冬至茶话会】的候补，第 1 位" in waiting[0].payload["text"]  # told to 张明 himself
    assert "已在名单里" in text(worker.get(f"/console/activities/{number}?who=王芳"))
    assert "这位已经报过名了" in add("王芳")
    assert "这位不在能报名的分组里" in add("周平")  # 第二支部: not this activity's
    assert viewer.post(f"/console/activities/{number}/signups",
                       {"retiree": str(branch.ids["李华"])}).status_code == 403
    with desk.sessions() as session:
        made = session.scalars(sa.select(Signup).order_by(Signup.id)).all()
        added = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "activity.signup_add")).all()
    assert [(s.retiree_id, s.status, s.by_staff) for s in made] == [
        (branch.ids["王芳"], "confirmed", True), (branch.ids["孙兰"], "confirmed", True),
        (branch.ids["张明"], "waiting", True)]
    assert len(added) == 3
    sheet = load_workbook(BytesIO(worker.get(f"/console/activities/{number}/signups.xlsx").data)).active
    assert "电话报名（工作人员代报）" in [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def test_a_clerk_may_sign_up_past_the_deadline_but_not_once_sign_ups_are_stopped(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat, clock: FixedClock) -> None:
    number = create(worker, deadline="2026-11-22T10:00")
    clock.advance(hours=1)  # the deadline has passed
    assert "现在没有可以报名的活动" in chat.say("报名", "o_li")
    page = text(worker.get(f"/console/activities/{number}"))
    assert "截止以后也能报" in page
    worker.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids["李华"])})
    assert "已为李华报名：报上了。" in text(worker.get(f"/console/activities/{number}"))
    worker.post(f"/console/activities/{number}/close")
    worker.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids["张明"])})
    page = text(worker.get(f"/console/activities/{number}"))
    assert "这个活动已停止报名，没有报上。" in page and "替老同志报名" not in page
    with desk.sessions() as session:
        assert [s.retiree_id for s in session.scalars(sa.select(Signup))] == [branch.ids["李华"]]


def test_someone_no_wechat_reaches_who_moves_up_the_waitlist_is_phoned_by_staff(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker, capacity="1")
    sign(chat, "o_li", "1", "1")  # 李华 takes the one seat in the chat
    worker.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids["王芳"])})  # waits
    chat.say("取消报名", "o_li")
    chat.say("1", "o_li")  # 李华 cancels in the chat: 王芳, with no WeChat, moves up
    [alert] = [m for m in told(desk, f"activity:{number}:promoted:%") if m.recipient == "o_staff_1"]
    assert "【请打电话】王芳（13900000003）：【冬至茶话会】候补补上了。微信联系不上" in alert.payload["text"]
    assert f"/console/activities/{number}" in alert.payload["text"]
    with desk.sessions() as session:
        wang = session.scalar(sa.select(Signup).where(Signup.retiree_id == branch.ids["王芳"]))
    assert wang.status == "confirmed"
    for name in ("钱进", "张明"):  # 钱进 no longer follows the account; 张明 does
        worker.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids[name])})
    worker.post(f"/console/activities/{number}/edit", TEA | {"capacity": "3"})
    page = text(worker.get(f"/console/activities/{number}"))
    assert "名额增加，候补的 2 位补上了，其中钱进的微信联系不上，请打电话告诉本人。" in page
    worker.post(f"/console/activities/{number}/cancel", {"confirmed": "1"})  # 王芳 and 钱进 have places
    page = text(worker.get(f"/console/activities/{number}"))
    assert "活动已取消，将通知 3 位。其中王芳、钱进的微信联系不上，请打电话告诉本人。" in page
    staff = [m.payload["text"] for m in told(desk, f"activity:{number}:cancelled:%")
             if m.recipient == "o_staff_1"]
    assert len(staff) == 2 and "【冬至茶话会】取消了，不再举行。微信联系不上" in staff[0]


def test_a_month_typed_wrong_is_refused_and_a_deadline_moved_takes_the_default_cut_off_along(
        worker: Clerk, desk: Services, branch: Branch, clock: FixedClock) -> None:
    worker.get("/console/activities/new")
    past = worker.post("/console/activities/new", TEA | {"starts_at": "2026-11-15T09:00",
                                                          "deadline": "2026-11-14T18:00"})
    page = text(past)
    assert past.status_code == 400 and "这个时间已经过去了（今天是 2026-11-22）" in page
    with desk.sessions() as session:
        assert session.scalars(sa.select(Activity)).all() == []
    number = create(worker)  # 取消截止 left empty: the deadline's
    form = text(worker.get(f"/console/activities/{number}/edit"))
    assert 'name="cancel_until" value=""' in form
    worker.post(f"/console/activities/{number}/edit", TEA | {"deadline": "2026-12-16T17:00"})
    with desk.sessions() as session:
        moved = session.get(Activity, number)
        assert moved.cancel_until == moved.deadline and moved.deadline.day == 16
    today = create(worker, starts_at="2026-11-22T11:00", deadline="2026-11-22T10:00")
    clock.advance(minutes=105)  # it has begun: its place can still be corrected, its times kept
    fixed = worker.post(f"/console/activities/{today}/edit", TEA | {
        "starts_at": "2026-11-22T11:00", "deadline": "2026-11-22T10:00", "place": "老干部活动中心三楼"})
    assert fixed.status_code == 302
    with desk.sessions() as session:
        assert session.get(Activity, today).place == "老干部活动中心三楼"


def test_recording_a_death_cancels_the_sign_ups_to_come_and_the_waitlist_moves_up(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    """The chat tells family that staff will cancel the sign-ups; recording the death had left
    the seat taken and the waitlist standing. Now it cancels them, 孙兰 moves up and is told,
    and the clerk reads which were cancelled; the log keeps it."""
    number = create(worker, capacity="1")
    sign(chat, "o_li", "1", "1")  # 李华 has the seat
    sign(chat, "o_sun_daughter", "1", "1")  # 孙兰 waits
    asked = text(worker.post(f"/console/people/{branch.ids['李华']}/died", {"died_on": "2026-11-21"}))
    assert "还没开始的活动报名也都取消" in asked
    done = worker.post(f"/console/people/{branch.ids['李华']}/died",
                       {"died_on": "2026-11-21", "confirmed": "1"}, follow_redirects=True)
    assert "已取消报名：【冬至茶话会】" in text(done)
    with desk.sessions() as session:
        seated = session.scalars(sa.select(Signup.retiree_id).where(Signup.status == "confirmed")).all()
        logged = session.scalars(sa.select(AuditEntry)
                                 .where(AuditEntry.action == "activity.signup_cancel")).all()
    assert seated == [branch.ids["孙兰"]] and len(logged) == 1
    assert [m.recipient for m in told(desk, f"activity:{number}:promoted:%")] == ["o_sun_daughter"]
    assert "已故，请取消报名" not in text(worker.get(f"/console/activities/{number}"))


def test_a_seat_freed_goes_past_someone_waiting_who_has_died(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    number = create(worker, capacity="1")
    for openid in ("o_zhang", "o_li", "o_sun_daughter"):  # 张明 has the seat; 李华, then 孙兰 wait
        sign(chat, openid, "1", "1")
    worker.post(f"/console/people/{branch.ids['李华']}/died", {"died_on": "2026-11-21", "confirmed": "1"})
    chat.say("取消报名", "o_zhang")
    chat.say("1", "o_zhang")
    with desk.sessions() as session:
        seated = session.scalars(sa.select(Signup.retiree_id).where(Signup.status == "confirmed")).all()
    assert seated == [branch.ids["孙兰"]]
    assert [m.recipient for m in told(desk, f"activity:{number}:promoted:%")] == ["o_sun_daughter"]


def test_a_clerk_adds_or_drops_a_companion_after_a_call_with_the_chats_seat_rule(
        worker: Clerk, viewer: Clerk, desk: Services, branch: Branch, chat: Chat, clock: FixedClock) -> None:
    """张明 phones after the deadline: his wife will come after all, then not. The clerk changes
    it on the list; a seat freed goes to 吴刚, waiting, who is told. With no seat free the
    companion is refused and the sign-up stays; a viewer cannot change it; each change is logged."""
    number = create(worker, capacity="3", deadline="2026-11-22T10:00")
    sign(chat, "o_zhang", "1", "1")
    sign(chat, "o_li", "1", "1")
    clock.advance(hours=1)  # the deadline has passed: the chat would refuse
    with desk.sessions() as session:
        zhang = session.scalar(sa.select(Signup).where(Signup.retiree_id == branch.ids["张明"]))
    change = f"/console/activities/{number}/signups/{zhang.id}/companion"
    assert "改为带家属</button>" in text(worker.get(f"/console/activities/{number}"))
    assert viewer.post(change, {"retiree": str(branch.ids["张明"]), "companion": "1"}).status_code == 403
    worker.post(change, {"retiree": str(branch.ids["张明"]), "companion": "1"})
    page = text(worker.get(f"/console/activities/{number}"))
    assert "已改为张明带一位家属：报上了。" in page and "2（带家属）" in page
    assert "改为不带家属</button>" in page
    wu = add_member(desk, "吴刚", "o_wu")
    worker.post(f"/console/activities/{number}/signups", {"retiree": str(wu)})  # full: 吴刚 waits
    worker.post(change, {"retiree": str(branch.ids["张明"]), "companion": "0"})
    page = text(worker.get(f"/console/activities/{number}"))
    assert "已改为张明不带家属：报上了。候补的 1 位补上了" in page
    [promoted] = told(desk, f"activity:{number}:promoted:%")
    assert promoted.recipient == "o_wu"
    worker.post(change, {"retiree": str(branch.ids["张明"]), "companion": "1"})  # no seat left now
    page = text(worker.get(f"/console/activities/{number}"))
    assert "名额不够（或有人在候补），带不了家属；原来的报名不变。" in page
    with desk.sessions() as session:
        seats = {s.retiree_id: (s.status, s.seats) for s in session.scalars(sa.select(Signup))}
        logged = session.scalars(sa.select(AuditEntry)
                                 .where(AuditEntry.action == "activity.signup_companion")).all()
    assert seats[branch.ids["张明"]] == ("confirmed", 1) and seats[wu] == ("confirmed", 1)
    assert len(logged) == 2


def test_moving_an_activitys_time_or_place_tells_everyone_signed_up_once_per_change(
        worker: Clerk, admin: Clerk, desk: Services, branch: Branch, chat: Chat, clock: FixedClock) -> None:
    """The tea party moves to 20 December at the museum: 张明 (signed up) and 李华 (waiting) are
    told where and when it now is, 王芳 (no WeChat) is to be phoned, and the log keeps before and
    after. A change of the notes alone tells nobody; moving it again tells them again."""
    number = create(worker, capacity="2")
    sign(chat, "o_zhang", "1", "2")
    sign(chat, "o_li", "1", "1")
    worker.post(f"/console/activities/{number}/signups", {"retiree": str(branch.ids["王芳"])})
    worker.post(f"/console/activities/{number}/edit", TEA | {"capacity": "2", "notes": "带上水杯"})
    assert told(desk, f"activity:{number}:moved:%") == []
    worker.post(f"/console/activities/{number}/edit",
                TEA | {"capacity": "2", "starts_at": "2026-12-20T09:00", "place": "市博物馆东门"})
    page = text(worker.get(f"/console/activities/{number}"))
    assert "时间或地点改了，已告诉报名和候补的 3 位。其中王芳的微信联系不上，请打电话告诉本人。" in page
    news = {m.recipient: m.payload["text"] for m in told(desk, f"activity:{number}:moved:%")}
    assert {"o_zhang", "o_li", "o_staff_1"} <= set(news)  # and staff, to phone 王芳
    assert "【冬至茶话会】有变动，请以这个为准" in news["o_zhang"]
    assert "12 月 20 日（周日）上午 9:00" in news["o_zhang"]
    assert "地点：市博物馆东门" in news["o_li"] and "【请打电话】王芳" in news["o_staff_1"]
    logged = text(admin.get("/console/audit?action=activity.save"))
    assert "老干部活动中心二楼 → 市博物馆东门" in logged
    clock.advance(minutes=5)
    worker.post(f"/console/activities/{number}/edit",
                TEA | {"capacity": "2", "starts_at": "2026-12-20T10:00", "place": "市博物馆东门"})
    assert len([m for m in told(desk, f"activity:{number}:moved:%") if m.recipient == "o_zhang"]) == 2
    worker.post(f"/console/activities/{number}/cancel", {"confirmed": "1"})
    clock.advance(minutes=5)
    worker.post(f"/console/activities/{number}/edit",
                TEA | {"capacity": "2", "starts_at": "2026-12-20T10:00", "place": "老干部活动中心二楼"})
    assert len([m for m in told(desk, f"activity:{number}:moved:%") if m.recipient == "o_zhang"]) == 2  # off
    logged = text(admin.get("/console/audit?action=activity.save"))
    assert "开始时间：2026-12-21 14:30 → 2026-12-20 09:00" in logged


def test_an_edit_is_logged_in_the_forms_words_not_codes(worker: Clerk, branch: Branch) -> None:
    """家属陪同 had read 「1 → 0」 and 全体 「all」 in the log."""
    number = create(worker)
    worker.post(f"/console/activities/{number}/edit",
                TEA | {"companion_seats": "0", "groups": "", "everyone": "1"})
    logged = text(worker.get("/console/audit?action=activity.save"))
    assert "家属陪同：可带一位家属（占 1 个座） → 不能带家属" in logged and "分组：第一支部 → 全体" in logged


def test_companions_cannot_be_ruled_out_while_some_are_booked(
        worker: Clerk, desk: Services, branch: Branch, chat: Chat) -> None:
    """Changed to 不能带家属, 张明's companion had stayed booked, and nobody was told."""
    number = create(worker)
    sign(chat, "o_zhang", "1", "2")  # 张明 and a companion
    refused = worker.post(f"/console/activities/{number}/edit", TEA | {"companion_seats": "0"})
    assert refused.status_code == 400 and "张明 报名时带了家属，现在不能改" in text(refused)
    with desk.sessions() as session:
        assert session.get(Activity, number).companion_seats == 1
    kept = worker.post(f"/console/activities/{number}/edit", TEA | {"notes": "请带上老年证和水杯"})
    assert kept.status_code == 302  # other fields still change
