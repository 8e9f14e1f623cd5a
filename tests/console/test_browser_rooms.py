"""The console's newer rooms in a real headless browser, as a clerk uses them: a 通知 to 第一支部
checked for its reach, scheduled, confirmed, and its report filling in live (htmx) as the
WeChat stand-in takes the copies; a 留言 answered, sent once though the form is sent twice; next
month's 学习 material edited with its live preview and carried by the study-day push; an 活动
whose waitlist moves up when a clerk cancels a sign-up; a 关怀 report closed as a death, after
which the birthday greeting is not sent; and an accessibility scan of every page of these rooms.
With CONSOLE_SCREENSHOTS=<folder>, notices.png, tickets.png, study.png, activity.png and
care.png are saved there (docs/console holds the ones in the docs)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from bot import create_app
from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import CareReport, CareTask, InboundMessage, OutboxMessage, Retiree, Signup, Ticket
from bot.notices.sending import send
from bot.sandbox.wechat_side import WeChatSide
from bot.scheduling import jobs
from bot.services import Services
from bot.standin import StandinServer
from bot.study.readings import record_reading
from tests.activities.helpers import add_member, load_activity, sign
from tests.browser import policy_refusals
from tests.console.test_browser import SCREENSHOTS, menu, png_width, serious_violations, sign_in, sync_api
from tests.console.test_browser import browser as browser  # the fixtures, shared (one chromium per module)
from tests.console.test_browser import clerk as clerk
from tests.console.test_browser import page as page
from tests.console.test_browser import site as site
from tests.console.test_study import editable as editable
from tests.greetings.test_morning import greetings, morning, set_person
from tests.greetings.test_morning import stand_on as stand_on_day
from tests.helpers import Chat, served
from tests.office_fixtures import Branch
from tests.study.helpers import rows
from tests.study.helpers import stand_on as stand_in_december

expect = sync_api.expect
CUSTOM = "cgi-bin/message/custom/send"  # the stand-in's 客服消息 endpoint
LIVE = 10_000  # ms to wait for htmx: the notice's status polls every 2 s, the preview waits 0.7 s


def shoot(page: sync_api.Page, name: str) -> None:
    """Save the whole page as name in CONSOLE_SCREENSHOTS (when it is set), 1280 pixels wide."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)
    assert png_width(folder / name) == 1280


def row(page: sync_api.Page, words: str) -> sync_api.Locator:
    """The one table row on the page with these words in it."""
    found = page.get_by_role("row").filter(has_text=words)
    expect(found).to_have_count(1)
    return found


def mark_page(page: sync_api.Page) -> None:
    """Leave a mark in the window, gone if the page is loaded again (so a swap can be told apart)."""
    page.evaluate("window.stillTheSamePage = true")


def still_the_same_page(page: sync_api.Page) -> bool:
    """Whether the mark left by mark_page is still there."""
    return page.evaluate("window.stillTheSamePage === true")


@pytest.fixture
def chat(console_app: Flask, wechat: WeChatSide) -> Chat:
    """People writing to the account over /wechat (the same database as the console)."""
    return Chat(console_app.test_client(), wechat)


# 1. 通知: the reach, a time, 确认发送, and the report filling in while the page stays open


def test_a_scheduled_notice_to_a_branch_shows_its_reach_and_its_report_fills_in_live(
        page: sync_api.Page, site: str, clerk: str, desk: Services, clock: FixedClock,
        standin: StandinServer, branch: Branch) -> None:
    sign_in(page, site, clerk)
    menu(page, "通知")
    page.get_by_role("link", name="写通知").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("写通知")
    page.get_by_label(re.compile("^标题")).fill("学习通知")
    page.get_by_label(re.compile("^通知内容")).fill("12 月 5 日上午九点集中学习。")
    page.get_by_label("选分组").check()
    page.get_by_label("第一支部", exact=True).check()
    page.get_by_label("定时发（北京时间）").check()
    page.get_by_label("发送时间", exact=True).fill("2026-11-22T09:35")  # five minutes from now
    page.get_by_role("button", name="看看能发到谁").click()

    reach = page.get_by_role("region", name=re.compile("^能发到谁"))
    expect(reach).to_contain_text("将发给 3 人（3 个微信），11月22日 09:35 发出")
    expect(reach).to_contain_text("客服消息1 个微信")  # 张明 wrote lately; 李华 and 孙兰's daughter did not
    expect(reach).to_contain_text("信箱2 个微信")
    expect(reach).to_contain_text("已故 1 人")  # 赵强: not sent
    expect(row(page, "王芳").get_by_role("cell")).to_have_text(["王芳", "13900000003", "未绑定微信"])
    expect(row(page, "钱进")).to_contain_text("已取消关注公众号")
    expect(page.get_by_label("第一支部", exact=True)).to_be_checked()  # the form is kept as filled
    assert outbox.drain(desk) == 0  # nothing queued by looking

    page.get_by_role("button", name="确认发送").click()
    expect(page).to_have_url(re.compile(r"/console/notices/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("会在 11月22日 09:35 发出，之前可以取消")
    expect(page.get_by_role("heading", level=1)).to_contain_text("学习通知")
    status = page.locator("#notice-status")
    expect(status).to_contain_text("定于 11月22日 09:35 发出")  # not 正在发送: nothing goes before then
    expect(page.get_by_role("heading", name=re.compile("发出时收不到的 2 人"))).to_be_visible()
    expect(status.locator('dd[data-status="pending"]')).to_have_text("3")
    expect(page.get_by_role("button", name="停止还没发出的 3 份")).to_be_visible()
    assert outbox.drain(desk) == 0  # not yet its time

    mark_page(page)
    clock.advance(seconds=6 * 60)
    standin.open_window("o_zhang")
    outbox.drain(desk)
    expect(status.locator('dd[data-status="sent"]')).to_have_text("1", timeout=LIVE)
    expect(status.locator('dd[data-status="mailbox"]')).to_have_text("2")
    expect(status.locator('dd[data-status="pending"]')).to_have_count(0)
    expect(status).to_contain_text(re.compile(r"已发出的，按渠道\s*客服消息\s*1"))
    expect(status).not_to_contain_text("正在发送")
    expect(page.locator("#notice-live[hx-trigger]")).to_have_count(0)  # done: it stops asking
    # whom to call and the stop button are part of what refreshes, not only the counts
    expect(page.get_by_role("region", name=re.compile("^没送到的"))).to_contain_text("没送到的 4 人")
    expect(page.get_by_role("button", name=re.compile("^停止还没发出的"))).to_have_count(0)
    assert still_the_same_page(page)  # swapped in by htmx, not reloaded
    [call] = standin.calls(path=CUSTOM)
    assert call.body["touser"] == "o_zhang"
    assert call.body["text"]["content"] == "【学习通知】\n12 月 5 日上午九点集中学习。"

    page.reload()
    shoot(page, "notices.png")
    menu(page, "通知")
    expect(row(page, "学习通知")).to_contain_text("等本人来看 2，已发出 1")


def test_a_notice_pasted_too_long_is_kept_whole_and_its_length_named(
        page: sync_api.Page, site: str, clerk: str, desk: Services, branch: Branch) -> None:
    sign_in(page, site, clerk)
    page.goto(f"{site}/console/notices/new")
    pasted = "请各位老同志注意。" * 79 + "落款：老干部局"  # 718 characters, the sign-off last
    page.get_by_label(re.compile("^通知内容")).fill(pasted)
    page.get_by_label("选分组").check()
    page.get_by_label("第一支部", exact=True).check()
    page.get_by_role("button", name="看看能发到谁").click()
    expect(page.get_by_text(f"通知太长（{len(pasted)} 字），请控制在 600 字以内")).to_be_visible()
    expect(page.get_by_label(re.compile("^通知内容"))).to_have_value(pasted)  # nothing cut off
    expect(page.get_by_role("button", name="确认发送")).to_have_count(0)


# 2. 留言: answered once, though the form is sent again


def test_an_answer_to_a_ticket_reaches_the_writer_once_though_the_form_is_sent_twice(
        page: sync_api.Page, site: str, clerk: str, desk: Services, standin: StandinServer,
        branch: Branch) -> None:
    now = desk.clock.now()
    with transaction(desk.sessions) as session:
        said = now - timedelta(hours=3, minutes=1)
        session.add(InboundMessage(dedupe_key="test:heating", openid="o_zhang", msg_type="text",
                                   text="家里暖气片是凉的", sent_at=said, received_at=said, route="policy",
                                   reply_text="供暖的事，您可以留言给我们，工作人员会回复您。"))
        ticket = Ticket(openid="o_zhang", retiree_id=branch.ids["张明"], text="暖气不热，请派人来看看",
                        created_at=now - timedelta(hours=3))
        session.add(ticket)
        session.flush()
        number = ticket.id
    standin.open_window("o_zhang")
    sign_in(page, site, clerk)
    menu(page, "留言")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待回复 1 条")
    row(page, "暖气不热").get_by_role("link", name=str(number), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"留言 {number}")
    expect(page.get_by_role("region", name="留言人")).to_contain_text("张明")
    expect(page.get_by_role("region", name=re.compile("^前后的对话"))).to_contain_text("家里暖气片是凉的")
    answer = page.get_by_role("textbox", name=re.compile("^回复"))
    answer.fill("明天上午师傅上门。")
    shoot(page, "tickets.png")
    again = page.context.new_page()  # the same form open in a second tab, sent after the first
    again.goto(page.url)
    again.get_by_role("textbox", name=re.compile("^回复")).fill("明天上午师傅上门。")

    page.get_by_role("button", name="发送回复").click()
    expect(page.get_by_role("status")).to_have_text(f"已回复留言 {number}，会发到留言人的微信。")
    expect(page.get_by_role("region", name="说了什么")).to_contain_text("明天上午师傅上门。")
    expect(page.get_by_role("button", name="发送回复")).to_have_count(0)  # nothing left to answer
    outbox.drain(desk)
    assert len(standin.calls(path=CUSTOM, openid="o_zhang")) == 1

    again.get_by_role("button", name="发送回复").click()
    refused = again.get_by_role("alert")
    expect(refused).to_contain_text(f"留言 {number} 已于 2026-11-22 09:30 回复过，不再重复")
    expect(refused).to_contain_text("您写的“明天上午师傅上门。”没有发出")
    expect(again.get_by_role("button", name="发送回复")).to_have_count(0)
    outbox.drain(desk)
    [call] = standin.calls(path=CUSTOM, openid="o_zhang")
    assert call.body["touser"] == "o_zhang" and "明天上午师傅上门。" in call.body["text"]["content"]
    with desk.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1

    menu(page, "留言")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待回复 0 条")
    expect(page.get_by_role("region", name="最近已回复")).to_contain_text(f"留言 {number}")


# 3. 学习: next month's material edited, previewed while typing, saved, and pushed


@pytest.fixture
def study_site(editable: Services) -> Iterator[str]:
    """The app over the office with its own copy of content/ (so the material can be saved)."""
    with served(create_app(services=editable)) as base:
        yield base


def test_next_months_material_is_previewed_while_typing_saved_and_carried_by_the_push(
        page: sync_api.Page, study_site: str, clerk: str, editable: Services, clock: FixedClock,
        branch: Branch) -> None:
    site = study_site
    sign_in(page, site, clerk)
    menu(page, "学习")
    page.get_by_role("link", name="编辑学习材料").click()
    expect(page).to_have_url(f"{site}/console/study/edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("编辑学习材料 2026-12")  # next month
    title = page.get_by_label("标题", exact=True)
    expect(title).to_have_value("温暖过冬，健康相伴")  # read from the month's file
    mark_page(page)

    title.fill("冬日保暖要点")
    body = page.get_by_label("正文", exact=True)
    body.click()
    body.press("Control+End")
    body.press_sequentially("\n\n## 出门前看看天气\n\n降温前一天，把厚衣服找出来。")
    preview = page.frame_locator("#preview iframe")
    expect(preview.get_by_role("heading", name="出门前看看天气")).to_be_visible(timeout=LIVE)
    expect(preview.locator("body")).to_contain_text("降温前一天，把厚衣服找出来。")
    expect(preview.locator("body")).to_contain_text("冬日保暖要点")
    # large print as on the phone: the page's own style is allowed by the console's policy
    assert preview.locator("body").evaluate("body => getComputedStyle(body).fontSize") == "24px"
    assert still_the_same_page(page)  # the preview was swapped in, the form was not sent

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(f"{site}/console/study")
    expect(page.get_by_role("status")).to_contain_text("2026-12《冬日保暖要点》已保存")
    expect(page.get_by_role("link", name="2026-12《冬日保暖要点》")).to_be_visible()
    article = (editable.settings.content_dir / "study/2026-12/article.md").read_text(encoding="utf-8")
    assert 'title = "冬日保暖要点"' in article and "## 出门前看看天气" in article

    with transaction(editable.sessions) as session:  # a reader of their own, and one by family
        for name, family in (("张明", False), ("孙兰", True)):
            record_reading(session, branch.ids[name], "2026-12", clock.now(), via="page", by_agent=family)
    page.get_by_role("link", name="2026-12《冬日保暖要点》").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("12 月学习《冬日保暖要点》")
    by_group = page.get_by_role("region", name="各分组").get_by_role("row").filter(has_text="第一支部")
    expect(by_group.get_by_role("cell")).to_have_text(["第一支部", "5", "2", "2", "1", "3"])
    shoot(page, "study.png")

    stand_in_december(clock, 5, 9)  # the study day; the scheduler was never restarted
    jobs.run_daily(editable, "study_day")
    pushed = rows(editable, "study:2026-12:day:%")
    assert pushed and all("《冬日保暖要点》" in message.payload["text"] for message in pushed)


# 4. 活动: the waitlist, and the first waiting moving up when a sign-up is cancelled


def test_a_cancelled_sign_up_moves_the_first_on_the_waitlist_up(
        page: sync_api.Page, site: str, clerk: str, desk: Services, branch: Branch, chat: Chat) -> None:
    sign_in(page, site, clerk)
    menu(page, "活动")
    page.get_by_role("link", name="新建活动").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建活动")
    page.get_by_label("名称").fill("冬至茶话会")
    page.get_by_label("类别").select_option("茶话会")
    page.get_by_label("地点", exact=True).fill("老干部活动中心二楼")
    page.get_by_label("开始时间").fill("2026-12-21T14:30")
    page.get_by_label("报名截止", exact=True).fill("2026-12-18T17:00")
    page.get_by_label(re.compile("^名额")).fill("3")
    page.get_by_label("家属陪同", exact=True).select_option("1")
    page.get_by_label("第一支部", exact=True).check()  # no choice of 全体 made: the group ticked
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/console/activities/\d+$"))
    expect(page.get_by_role("status")).to_have_text("活动「冬至茶话会」已新建。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("冬至茶话会")
    expect(page.get_by_role("region", name="活动")).to_contain_text("3 座，还剩 3 座")
    number = int(page.url.rsplit("/", 1)[1])

    for name, openid in (("吴刚", "o_wu"), ("郑和", "o_zheng")):
        add_member(desk, name, openid)
    for openid in ("o_zhang", "o_li", "o_wu", "o_zheng", "o_sun_daughter"):
        sign(chat, openid, "1", "1")
    page.reload()
    signups = page.get_by_role("region", name=re.compile("^报名"))
    expect(signups).to_contain_text("报上 3 人，候补 2 人")
    expect(page.get_by_role("region", name="活动")).to_contain_text("3 座，还剩 0 座")
    expect(row(page, "郑和").get_by_role("cell").first).to_have_text("候补第 1 位")
    expect(row(page, "孙兰").get_by_role("cell").first).to_have_text("候补第 2 位")
    expect(row(page, "孙兰")).to_contain_text("家属代报")
    shoot(page, "activity.png")

    row(page, "张明").get_by_role("link", name="取消报名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("取消这个报名？")  # asked once more
    page.get_by_role("button", name="确定取消张明的报名").click()
    expect(page.get_by_role("status")).to_have_text("已取消张明的报名。候补的 1 位补上了，会收到通知。")
    page.go_back()  # the question again, not the browser's 「重新提交表单？」
    expect(page.get_by_role("heading", level=1)).to_have_text("取消这个报名？")
    page.go_forward()
    expect(row(page, "张明").get_by_role("cell").first).to_have_text("已取消")
    expect(row(page, "郑和").get_by_role("cell").first).to_have_text("已报上")  # moved up
    expect(row(page, "孙兰").get_by_role("cell").first).to_have_text("候补第 1 位")
    expect(signups).to_contain_text("报上 3 人，候补 1 人")
    expect(row(page, "张明").get_by_role("link", name="取消报名")).to_have_count(0)
    with desk.sessions() as session:
        told = session.scalars(sa.select(OutboxMessage.recipient).where(
            OutboxMessage.dedupe_key.like(f"activity:{number}:promoted:%"))).all()
    assert told == ["o_zheng"]  # the one who moved up is told, once


# 5. 关怀: a report closed as a death, and no birthday greeting after


def report(services: Services, retiree_id: int, kind: str, said: str, ago: timedelta = timedelta(0),
           **extra: object) -> int:
    """A care report, open, made `ago` before now; its number."""
    with transaction(services.sessions) as session:
        made = CareReport(openid="o_x", retiree_id=retiree_id, kind=kind, text=said,
                          created_at=services.clock.now() - ago, **({"subject": "self"} | extra))
        session.add(made)
        session.flush()
        return made.id


def test_a_report_closed_as_a_death_stops_the_persons_birthday_greeting(
        page: sync_api.Page, site: str, clerk: str, desk: Services, branch: Branch,
        clock: FixedClock) -> None:
    zhang, now = branch.ids["张明"], desk.clock.now()
    for name in ("张明", "李华"):  # born the same day; 李华 is alive
        set_person(desk, branch.ids[name], birth_date=date(1940, 11, 25))
    set_person(desk, branch.ids["王芳"], lives_alone=True, address="人民路 8 号")
    with transaction(desk.sessions) as session:
        session.add(CareTask(retiree_id=branch.ids["周平"], kind="上门祝寿", due_on=date(2026, 11, 26),
                             detail="八十八岁米寿", created_at=now))
    report(desk, branch.ids["周平"], "fall", "老伴在家摔了一跤，腿疼得厉害", ago=timedelta(hours=1),
           subject="relative", relative="老伴")
    number = report(desk, zhang, "death", "我父亲昨天走了", ago=timedelta(minutes=30),
                    reporter_phone="13712345678")
    sign_in(page, site, clerk)
    menu(page, "关怀")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待处理报告 2 份")
    reports = page.get_by_role("region", name="重要情况报告（待处理）")
    expect(reports.get_by_role("row").nth(1)).to_contain_text("去世")  # the death first, though newer
    expect(row(page, "我父亲昨天走了")).to_contain_text("13712345678")
    expect(page.get_by_role("region", name="上门祝寿")).to_contain_text("11月26日 周平 八十八岁米寿")
    expect(page.get_by_role("region", name="2026 年慰问")).to_contain_text("可能需要上门的 1 人")
    shoot(page, "care.png")

    row(page, "我父亲昨天走了").get_by_role("link", name="处理").click()
    expect(page).to_have_url(f"{site}/console/care/{number}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"重要情况报告 {number}：去世")
    page.get_by_label(re.compile("^做了什么")).fill("已电话慰问家属")
    page.get_by_label(re.compile("张明同志已去世")).check()
    page.get_by_label("去世日期").fill("2026-11-21")
    page.get_by_role("button", name="记为已处理").click()
    expect(page).to_have_url(f"{site}/console/care")
    expect(page.get_by_role("status")).to_have_text(
        f"报告 {number} 已处理，已登记去世日期，祝福和推送都已停止。")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待处理报告 1 份")
    expect(page.get_by_role("region", name="最近处理过的报告")).to_contain_text("（去世日期 2026-11-21）")
    with desk.sessions() as session:
        assert session.get(Retiree, zhang).died_on == date(2026, 11, 21)

    stand_on_day(clock, date(2026, 11, 25))  # his birthday
    morning(desk)
    assert set(greetings(desk)) == {"o_li"}


# 6. 没答上的问题


def test_a_question_nobody_answered_is_taught_in_one_click_and_answered_next_time(
        page: sync_api.Page, site: str, clerk: str, chat: Chat) -> None:
    asked = "地铁几号线能到你们单位"
    assert chat.say(asked, openid="o_zhang").startswith("这个我还答不上来")
    sign_in(page, site, clerk)
    page.get_by_role("link", name="没答上的问题").click()
    row = page.get_by_role("listitem").filter(has_text=asked)
    row.get_by_label("归入话题").select_option(label="联系我们（可能是）")  # the bot's first guess
    row.get_by_role("button", name="归入").click()
    expect(page.get_by_role("status")).to_contain_text("已把 1 个问题归入「联系我们」")
    expect(page.get_by_text("没有待处理的问题。")).to_be_visible()
    assert chat.say(asked, openid="o_zhang").startswith("【联系我们】")


# 7. Accessibility


ROOM_PAGES = {
    "notices": "/console/notices",
    "notice-new": "/console/notices/new",
    "notice": "/console/notices/{notice}",
    "tickets": "/console/tickets",
    "ticket": "/console/tickets/{ticket}",
    "study": "/console/study",
    "study-month": "/console/study/2026-12",
    "study-group": "/console/study/2026-12?group=第一支部",
    "study-edit": "/console/study/edit",
    "activities": "/console/activities",
    "activity": "/console/activities/{activity}",
    "activity-edit": "/console/activities/{activity}/edit",
    "activity-new": "/console/activities/new",
    "care": "/console/care",
    "care-report": "/console/care/{report}",
    "questions": "/console/questions",
    "topic-answer": "/console/questions/topics/party-fee",
}


def test_every_page_of_the_rooms_passes_an_accessibility_scan(
        page: sync_api.Page, site: str, clerk: str, desk: Services, branch: Branch, chat: Chat,
        tmp_path: Path) -> None:
    now = desk.clock.now()
    with transaction(desk.sessions) as session:
        notice, _ = send(session, desk.settings, text="12 月 5 日上午九点集中学习。", title="学习通知",
                         audience="group:第一支部", actor="console:wangli", now=now)
        ticket = Ticket(openid="o_zhang", retiree_id=branch.ids["张明"], text="暖气不热", created_at=now)
        session.add(ticket)
        session.flush()
        numbers = {"notice": notice.id, "ticket": ticket.id}
    numbers["activity"] = load_activity(desk, tmp_path, capacity=1)
    for openid in ("o_zhang", "o_li"):  # one with a seat, one waiting
        sign(chat, openid, "1", "1")
    numbers["report"] = report(desk, branch.ids["张明"], "hospital", "我住院了，在市第一医院")
    with desk.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 2
    chat.say("地铁几号线能到你们单位", openid="o_zhang")  # one for 没答上的问题

    sign_in(page, site, clerk)
    refused = policy_refusals(page)
    problems: list[str] = []
    for name, path in ROOM_PAGES.items():
        address = site + path.format(**numbers)
        page.goto(address)
        assert page.url.split("?")[0] == address.split("?")[0]  # the page itself, not an error
        expect(page.locator("main h1")).to_be_visible()
        problems += [f"{name} ({path}): {problem}" for problem in serious_violations(page)]
        if name == "notice-new":  # with a problem named, then with the reach shown
            page.get_by_role("button", name="看看能发到谁").click()
            expect(page.get_by_role("alert")).to_contain_text("有 1 处要改")
            problems += [f"{name}, a problem named: {problem}" for problem in serious_violations(page)]
            page.get_by_label(re.compile("^通知内容")).fill("12 月 5 日上午九点集中学习。")
            page.get_by_label("选分组").check()
            page.get_by_label("第一支部", exact=True).check()
            page.get_by_role("button", name="看看能发到谁").click()
            expect(page.get_by_role("region", name=re.compile("^能发到谁"))).to_be_visible()
            problems += [f"{name}, reach shown: {problem}" for problem in serious_violations(page)]
        if name == "study-edit":  # and with the preview swapped in
            page.get_by_label("正文", exact=True).press_sequentially("好")
            expect(page.locator("#preview iframe")).to_be_attached(timeout=LIVE)
            problems += [f"{name}, preview shown: {problem}" for problem in serious_violations(page)]
            preview = page.locator("#preview iframe").content_frame
            expect(preview.locator("h1")).to_be_visible()
            frame = next(f for f in page.frames if f.parent_frame)  # the reading page; axe runs in it too
            problems += [f"{name}, inside the preview: {problem}" for problem in serious_violations(frame)]
    assert not refused, "the pages' policy refused what they need:\n" + "\n".join(refused)
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)

