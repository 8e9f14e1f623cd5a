"""留言 in the console: who left each and how to reach them, overdue first; an answer goes to
whoever left it, once, audit-logged; a 查看 account reads only; a branch's account sees its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from bot.db.engine import transaction
from bot.models import AuditEntry, InboundMessage, OutboxMessage, Ticket
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.console.conftest import clerk
from tests.console.helpers import Clerk
from tests.helpers import Chat
from tests.office_fixtures import Branch


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def left(desk: Services, branch: Branch) -> dict[str, int]:
    """张明's 留言 of three days ago (overdue), 周平's of an hour ago, one from an unbound user."""
    now = desk.clock.now()
    with transaction(desk.sessions) as session:
        made = {"暖气不热": Ticket(openid="o_zhang", retiree_id=branch.ids["张明"], text="暖气不热",
                                  created_at=now - timedelta(days=3)),
                "想问体检": Ticket(openid="o_zhou", retiree_id=branch.ids["周平"], text="想问体检",
                                  created_at=now - timedelta(hours=1)),
                "你们是谁": Ticket(openid="o_stranger", text="你们是谁", created_at=now - timedelta(hours=2))}
        session.add_all(made.values())
        session.flush()
        return {said: t.id for said, t in made.items()}


def test_the_list_names_who_left_each_with_the_overdue_first(worker: Clerk, left: dict[str, int]) -> None:
    page = text(worker.get("/console/tickets"))
    assert "待回复 3 条，其中超过 24 小时 1 条" in page
    assert page.index("暖气不热") < page.index("想问体检") < page.index("你们是谁")  # overdue, then newest
    assert "张明" in page and "13800000000" in page and "未绑定的微信用户" in page


def test_an_answer_goes_once_to_whoever_left_it(worker: Clerk, desk: Services, left: dict[str, int]) -> None:
    number = left["暖气不热"]
    worker.get(f"/console/tickets/{number}")
    empty = worker.post(f"/console/tickets/{number}", {"answer": "  "})
    assert empty.status_code == 400 and "回复内容是空的" in text(empty)
    sent = worker.post(f"/console/tickets/{number}", {"answer": "明天上午师傅上门。"})
    assert "已回复留言" in text(worker.get(sent.headers["Location"]))
    again = worker.post(f"/console/tickets/{number}", {"answer": "再说一遍"})
    assert again.status_code == 400 and "回复过" in text(again) and "再说一遍" in text(again)  # kept
    with desk.sessions() as session:
        [message] = session.scalars(sa.select(OutboxMessage)).all()
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "ticket.reply")).one()
    assert message.recipient == "o_zhang" and "明天上午师傅上门" in str(message.payload)
    assert entry.actor == "console:wangli"
    assert "已回复" in text(worker.get("/console/tickets"))


def test_an_answer_too_long_for_one_message_is_kept_and_its_length_named(
        worker: Clerk, desk: Services, left: dict[str, int]) -> None:
    number = left["暖气不热"]
    worker.get(f"/console/tickets/{number}")
    for times in (40, 400):  # 8,000 characters (72 KB as a form) had met a 「文件太大」 page, lost
        long = "师傅明天上午九点到十一点之间上门检修暖气。" * times
        refused = worker.post(f"/console/tickets/{number}", {"answer": long})
        assert refused.status_code == 400 and f"回复太长（{len(long)} 字）" in text(refused)
        assert long in text(refused)  # kept for the clerk to shorten
    with desk.sessions() as session:
        assert session.get(Ticket, number).answered_at is None
        assert session.scalars(sa.select(OutboxMessage)).all() == []


def test_a_viewer_reads_but_cannot_answer(viewer: Clerk, desk: Services, left: dict[str, int]) -> None:
    number = left["暖气不热"]
    page = text(viewer.get(f"/console/tickets/{number}"))
    assert "暖气不热" in page and "发送回复" not in page
    assert viewer.post(f"/console/tickets/{number}", {"answer": "好"}).status_code == 403
    with desk.sessions() as session:
        assert session.get(Ticket, number).answered_at is None


def test_a_branch_account_sees_its_own_peoples_only(console_app: Flask, desk: Services,
                                                     left: dict[str, int]) -> None:
    secretary = clerk(console_app, desk, "shuji", "staff", group="第二支部")
    page = text(secretary.get("/console/tickets"))
    assert "想问体检" in page and "暖气不热" not in page and "你们是谁" not in page
    assert secretary.get(f"/console/tickets/{left['暖气不热']}").status_code == 404
    assert secretary.get("/console/tickets/999999").status_code == 404


def test_a_ticket_handled_by_phone_is_closed_with_a_note_and_nothing_sent(
        worker: Clerk, desk: Services, left: dict[str, int]) -> None:
    number = left["想问体检"]
    worker.get(f"/console/tickets/{number}")
    blank = worker.post(f"/console/tickets/{number}", {"note": " "})
    assert blank.status_code == 400 and "请写明是怎么处理的" in text(blank)
    done = worker.post(f"/console/tickets/{number}", {"note": "已电话联系，体检在四月"})
    page = text(worker.get(done.headers["Location"]))
    assert "已记为处理完" in page and "已处理（没有发微信）" in page and "已电话联系，体检在四月" in page
    refused = worker.post(f"/console/tickets/{number}", {"answer": "补一句"})
    assert refused.status_code == 400 and "处理过" in text(refused)
    with desk.sessions() as session:
        assert not session.scalars(sa.select(OutboxMessage)).all()  # nothing went to WeChat
        assert session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.target == f"ticket:{number}")).all() == ["ticket.handled"]
    assert "想问体检" not in text(worker.get("/console/tickets")).split("最近已回复")[0]


def test_a_tickets_page_shows_what_was_said_around_it(worker: Clerk, desk: Services,
                                                      left: dict[str, int]) -> None:
    now = desk.clock.now()
    with transaction(desk.sessions) as session:
        for key, said, days in (("old", "上个月的话", 30), ("before", "家里暖气片是凉的", 3.1)):
            at = now - timedelta(days=days)
            session.add(InboundMessage(dedupe_key=key, openid="o_zhang", msg_type="text", text=said,
                                       sent_at=at, received_at=at, route="policy",
                                       reply_text="供暖的事，您可以留言给我们。"))
    page = text(worker.get(f"/console/tickets/{left['暖气不热']}"))
    assert "家里暖气片是凉的" in page and "银龄助手答：供暖的事" in page
    assert "上个月的话" not in page  # more than a week before the 留言


def test_numbers_a_retiree_typed_are_masked_for_a_viewer_and_whole_for_staff(
        worker: Clerk, viewer: Clerk, desk: Services, branch: Branch) -> None:
    with transaction(desk.sessions) as session:
        ticket = Ticket(openid="o_zhang", retiree_id=branch.ids["张明"], created_at=desk.clock.now(),
                        text="请回电 13659496827，身份证 110101193208081234")
        session.add(ticket)
        session.flush()
        number = ticket.id
    pages = ("/console/tickets", f"/console/tickets/{number}", "/console/today",
             f"/console/people/{branch.ids['张明']}")
    for path in pages:
        shown = text(viewer.get(path))
        assert "请回电 136****6827，身份证 110101********1234" in shown, path
        assert "13659496827" not in shown and "110101193208081234" not in shown, path
        assert "请回电 13659496827，身份证 110101193208081234" in text(worker.get(path)), path


def test_a_care_report_said_before_a_tickets_words_is_health_a_viewer_does_not_read(
        console_app: Flask, worker: Clerk, viewer: Clerk, desk: Services, branch: Branch,
        wechat: WeChatSide) -> None:
    chat = Chat(console_app.test_client(), wechat)
    chat.say("老伴住院了，在市一医院", "o_zhang")
    assert "是您本人" in (chat.say("住院了，在人民医院", "o_sun_daughter") or "")  # asked who: a care step
    chat.say("是我妈，肺炎", "o_sun_daughter")
    chat.say("留言", "o_zhang")
    chat.say("暖气不热，麻烦问问物业", "o_zhang")
    with desk.sessions() as session:
        number = session.scalar(sa.select(Ticket.id).where(Ticket.openid == "o_zhang"))
    shown = text(viewer.get(f"/console/tickets/{number}"))
    assert "市一医院" not in shown and "（仅管理员、工作人员可见）" in shown
    assert "暖气不热，麻烦问问物业" in shown  # the 留言 itself is no health
    assert "老伴住院了，在市一医院" in text(worker.get(f"/console/tickets/{number}"))
    chat.say("留言", "o_sun_daughter")
    chat.say("请帮我妈申请护理补贴", "o_sun_daughter")
    with desk.sessions() as session:
        hers = session.scalar(sa.select(Ticket.id).where(Ticket.openid == "o_sun_daughter"))
    shown = text(viewer.get(f"/console/tickets/{hers}"))
    assert "人民医院" not in shown and "肺炎" not in shown  # the answer to the care step is health too
