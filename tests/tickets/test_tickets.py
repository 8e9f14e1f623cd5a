"""留言: a message for staff is kept, acknowledged with a number, and staff are alerted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from bot import create_app
from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings, StaffSettings
from bot.db.engine import transaction
from bot.models import AuditEntry, InboundMessage, OutboxMessage, Ticket
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from bot.tickets import leaving
from tests.helpers import OPENID, Chat


@pytest.fixture
def staffed(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    """Services with two staff openids to alert."""
    built = build_services(replace(settings, staff=StaffSettings(openids=("o_staff_1", "o_staff_2"))),
                           clock=clock)
    yield built
    built.close()


@pytest.fixture
def staff_chat(staffed: Services, wechat: WeChatSide) -> Chat:
    """A retiree talking to the bot whose office has staff openids."""
    client: FlaskClient = create_app(services=staffed).test_client()
    return Chat(client, wechat)


def tickets(services: Services) -> list[Ticket]:
    """Every ticket, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(sa.select(Ticket).order_by(Ticket.id)))


def test_the_same_message_sent_at_the_same_instant_is_kept_once(staffed: Services) -> None:
    """A double tap: the second arrives while the first is still being kept. It waits for the
    first and is the same 留言 (on SQLite its writers queue anyway; on PostgreSQL both had found
    no earlier one and both were kept, with two staff alerts)."""
    if staffed.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers queue on its one lock: the two cannot overlap")

    def keep() -> Ticket:
        with transaction(staffed.sessions) as session:
            return leaving.leave(session, staffed.settings, staffed.texts, openid=OPENID, binding=None,
                                 text="我爸的医药费什么时候报销？", now=staffed.clock.now())

    with transaction(staffed.sessions) as first:
        kept = leaving.leave(first, staffed.settings, staffed.texts, openid=OPENID, binding=None,
                             text="我爸的医药费什么时候报销？", now=staffed.clock.now())
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(keep)
            time.sleep(0.5)  # the second is under way, the first not yet committed
            first.commit()
            assert second.result(timeout=30).id == kept.id
    assert [t.id for t in tickets(staffed)] == [kept.id]


def test_a_message_is_kept_numbered_and_sent_to_every_staff_member(staff_chat: Chat,
                                                                   staffed: Services) -> None:
    assert "打字、语音都可以" in (staff_chat.say("留言") or "")
    reply = staff_chat.say("我家的暖气一直不热，能不能帮忙问问")
    [ticket] = tickets(staffed)
    assert ticket.text == "我家的暖气一直不热，能不能帮忙问问" and ticket.answered_at is None
    assert reply is not None and f"留言编号是 {ticket.id}" in reply and "010-12345678" in reply
    with staffed.sessions() as session:
        alerts = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [a.recipient for a in alerts] == ["o_staff_1", "o_staff_2"]
    assert "暖气一直不热" in alerts[0].payload["text"]


def test_a_voice_message_is_taken_too(staff_chat: Chat, staffed: Services, wechat: WeChatSide) -> None:
    staff_chat.say("转人工")
    staff_chat.reply_to(wechat.voice(OPENID, "我想请工作人员给我回个电话"))
    assert [t.text for t in tickets(staffed)] == ["我想请工作人员给我回个电话"]


def test_zero_cancels_and_nothing_is_kept(staff_chat: Chat, staffed: Services) -> None:
    staff_chat.say("留言")
    assert "不留言了" in (staff_chat.say("0") or "")
    assert tickets(staffed) == []


def test_the_policy_fallback_leads_to_a_ticket(staff_chat: Chat, staffed: Services) -> None:
    assert "回复「留言」" in (staff_chat.say("楼下的路灯坏了好几天") or "")
    staff_chat.say("留言")
    staff_chat.say("楼下的路灯坏了好几天")
    assert len(tickets(staffed)) == 1


def test_words_just_said_are_offered_and_words_said_long_ago_are_not(
        staff_chat: Chat, staffed: Services, clock: FixedClock) -> None:
    staff_chat.say("楼下的路灯坏了好几天")
    clock.advance(minutes=9)
    offered = staff_chat.say("留言") or ""
    assert "「楼下的路灯坏了好几天」" in offered and "回复 1" in offered
    assert "回复 1 转刚才那段话" in (staff_chat.say("联系我们") or "")  # the step waits, and says so
    staff_chat.say("1")
    assert [t.text for t in tickets(staffed)] == ["楼下的路灯坏了好几天"]
    staff_chat.say("楼下的路灯还是没修")
    clock.advance(minutes=11)  # the words are old now: a 留言 asked for is a new one
    asked = staff_chat.say("留言") or ""
    assert "路灯" not in asked and "打字、语音都可以" in asked


def test_words_offered_then_gone_are_asked_for_again_and_no_empty_message_is_kept(
        staff_chat: Chat, staffed: Services) -> None:
    staff_chat.say("楼下的路灯坏了好几天")
    staff_chat.say("留言")
    with transaction(staffed.sessions) as session:  # forgotten meanwhile (roster forget clears them)
        session.execute(sa.delete(InboundMessage))
    assert "请说一说是什么事情" in (staff_chat.say("1") or "")
    assert tickets(staffed) == []
    staff_chat.say("路灯坏了，请找物业修一修")
    assert [t.text for t in tickets(staffed)] == ["路灯坏了，请找物业修一修"]


@pytest.fixture
def staff_cli(staffed: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    """`python -m bot …` pointed at the same database as staffed."""
    config = tmp_path / "config.toml"
    w = staffed.settings.wechat
    config.write_text(f'database_url = "{staffed.settings.database_url}"\n[wechat]\nappid = "{w.appid}"\n'
                      f'secret = "{w.secret}"\ntoken = "{w.token}"\nmode = "plain"\n'
                      '[staff]\nticket_overdue_hours = 24\n', encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(config))
    return staffed


def leave(chat: Chat, text: str) -> None:
    """Leave one 留言 through the chat."""
    chat.say("留言")
    chat.say(text)


def test_staff_list_the_unanswered_tickets(staff_chat: Chat, staff_cli: Services,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    leave(staff_chat, "请帮我查一下体检结果")
    assert main(["ticket", "list"]) == 0
    out = capsys.readouterr().out
    assert "请帮我查一下体检结果" in out and "1 条留言未回复" in out
    assert "retiree=" not in out and "未绑定的微信用户" in out  # who left it, in words


def test_staff_answer_reaches_the_person_once_and_is_recorded(staff_chat: Chat, staff_cli: Services,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    leave(staff_chat, "楼道灯坏了请帮忙报修")
    [ticket] = tickets(staff_cli)
    assert main(["ticket", "reply", str(ticket.id), "已联系物业，明天上午来修。"]) == 0
    assert main(["ticket", "reply", str(ticket.id), "再说一遍"]) == 1
    assert "回复过" in capsys.readouterr().err
    [answered] = tickets(staff_cli)
    assert answered.answer == "已联系物业，明天上午来修。" and answered.answered_at is not None
    with staff_cli.sessions() as session:
        replies = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == OPENID)).all()
        audit_actions = session.scalars(sa.select(AuditEntry.action)).all()
    [reply] = replies
    assert f"您的留言 {ticket.id} 有回复了" in reply.payload["text"]
    assert "明天上午来修" in reply.payload["text"]
    assert "ticket.reply" in audit_actions
    assert main(["ticket", "list"]) == 0
    assert "0 条留言未回复" in capsys.readouterr().out


def test_an_unknown_ticket_number_changes_nothing(staff_cli: Services,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ticket", "reply", "999", "你好"]) == 1
    assert "没有编号为 999 的留言" in capsys.readouterr().err


def test_overdue_lists_only_those_waiting_too_long(staff_cli: Services, clock: FixedClock,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # The command runs on the real clock: one ticket far in its past, one far in its future.
    year = timedelta(days=400)
    with staff_cli.sessions() as session, session.begin():
        session.add_all([Ticket(openid=OPENID, text="很久以前的留言", created_at=clock.now() - year),
                         Ticket(openid=OPENID, text="还不算超时", created_at=clock.now() + year)])
    assert main(["ticket", "list", "--overdue"]) == 0
    out = capsys.readouterr().out
    assert "很久以前的留言" in out and "还不算超时" not in out and "1 条留言超过 24 小时未回复" in out


def test_the_list_names_the_person_with_branch_and_phone(
        cli, office: Services, branch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.db.engine import transaction
    from bot.models import Retiree, Ticket

    with transaction(office.sessions) as session:
        session.add(Ticket(openid="o_zhang", retiree_id=branch.ids["张明"], text="暖气不热",
                           created_at=office.clock.now()))
        phone = session.get(Retiree, branch.ids["张明"]).phone
    code, out, _ = cli(capsys, "ticket", "list")
    assert code == 0 and f"张明（第一支部，{phone}）" in out and "暖气不热" in out


def test_my_tickets_says_what_became_of_each_and_asking_why_no_answer_opens_none(
        staff_chat: Chat, staff_cli: Services) -> None:
    assert "您还没有留过言" in (staff_chat.say("我的留言") or "")
    leave(staff_chat, "楼道灯坏了请帮忙报修")
    leave(staff_chat, "暖气不热")
    first, _ = sorted(tickets(staff_cli), key=lambda t: t.id)
    assert main(["ticket", "reply", str(first.id), "已联系物业，明天上午来修。"]) == 0
    mine = staff_chat.say("我的留言") or ""
    assert mine.index("暖气不热") < mine.index("楼道灯坏了")  # newest first
    assert "已回复：已联系物业，明天上午来修。" in mine and "还在等回复" in mine
    asked = staff_chat.say("你们怎么还不回我留言") or ""
    assert "暖气不热" in asked and "请直接说您的事情" not in asked
    assert len(tickets(staff_cli)) == 2  # asking about 留言 left none
    _, second = sorted(tickets(staff_cli), key=lambda t: t.id)
    assert main(["ticket", "reply", str(second.id), "师傅明天上午九点到十一点之间上门检修暖气。" * 20]) == 0
    mine = staff_chat.say("我的留言") or ""
    assert "全文在当时的回复消息里" in mine and len(mine.encode()) < 2000  # one passive reply's size


def test_words_after_a_ticket_are_added_to_it_and_staff_told_until_it_is_answered(
        staffed: Services, staff_chat: Chat, clock: FixedClock) -> None:
    from bot.tickets.answers import answer

    staff_chat.say("留言")
    staff_chat.say("我家暖气不热，能不能找人来看看")
    clock.advance(minutes=2)
    assert "补充到您的留言（编号 1）" in (staff_chat.say("哦对了还有楼道灯也坏了") or "")
    [ticket] = tickets(staffed)
    assert ticket.text == "我家暖气不热，能不能找人来看看\n哦对了还有楼道灯也坏了"
    with staffed.sessions() as session:
        told = [m.payload["text"] for m in session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.recipient == "o_staff_1"))]
    assert any("【留言 1 补充】" in t and "楼道灯也坏了" in t for t in told)
    with transaction(staffed.sessions) as session:
        answer(session, staffed.texts, 1, "明天派人去看。", actor="clerk", now=staffed.clock.now())
    clock.advance(minutes=2)  # answered meanwhile: more words are a 留言 of their own
    new = staff_chat.say("还有水管也漏水") or ""
    assert "您的留言编号是 2" in new and "补充" not in new
    assert "补充到您的留言（编号 2）" in (staff_chat.say("还有暖气片也不热") or "")  # words after: to it
    clock.advance(minutes=11)  # long after: words not understood are that again
    assert "补充" not in (staff_chat.say("楼下那个谁也说漏了") or "")
    assert [t.text for t in tickets(staffed)][1:] == ["还有水管也漏水\n还有暖气片也不热"]
