"""留言 and 我的通知 in the mini-program: a 留言 passes WeChat's content check, and what it flags
still reaches staff, marked, never lost; staff's reply, and the notices sent to the retiree's
chat accounts, are in 我的通知 once each, read or unread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import sqlalchemy as sa
from flask.testing import FlaskClient

from bot import create_app
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import CareReport, OutboxMessage, OutboxStatus, Ticket
from bot.notices.sending import send
from bot.services import Services, build_services
from bot.standin.server import StandinServer
from bot.tickets.answers import answer, handle_without_reply
from tests.api import log_in
from tests.office_fixtures import Branch

Headers = Callable[..., dict[str, str]]
SEC_CHECK = "wxa/msg_sec_check"


def test_a_ticket_is_checked_by_wechat_and_a_flagged_one_still_reaches_staff(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services,
        standin: StandinServer) -> None:
    standin.set_sec_words({"投诉": "review"})
    me = signed_in("o_mini_writer")
    left = client.post("/api/v1/tickets", headers=me, json={"text": "我要投诉小区暖气不热"})
    assert left.status_code == 201 and left.get_json()["reply"] is None
    [check] = standin.calls(path=SEC_CHECK)
    assert check.openids == ["o_mini_writer"]
    with mini.sessions() as session:
        ticket = session.get_one(Ticket, left.get_json()["number"])
        [alert] = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "staff",
                                                                  OutboxMessage.recipient == "o_staff_1"))
    assert ticket.screening == "review" and ticket.text == "我要投诉小区暖气不热"
    assert "建议人工复核" in alert.payload["text"] and "未绑定用户" in alert.payload["text"]
    too_long = client.post("/api/v1/tickets", headers=me, json={"text": "长" * 10_000})
    assert too_long.status_code == 422 and "留言内容" in too_long.get_json()["message"]
    mine = client.get("/api/v1/tickets", headers=me).get_json()["tickets"]
    assert [t["number"] for t in mine] == [ticket.id]


def test_without_the_content_check_configured_nothing_is_sent_to_wechat(
        branch: Branch, mini: Services, standin: StandinServer, clock) -> None:
    unchecked = build_services(replace(mini.settings, miniprogram=replace(
        mini.settings.miniprogram, content_check=False)), clock=clock)
    try:
        client = create_app(services=unchecked).test_client()
        token = log_in(client, standin, "o_mini_quiet")
        left = client.post("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                           json={"text": "请问暖气什么时候来"})
        assert left.status_code == 201 and standin.calls(path=SEC_CHECK) == []
    finally:
        unchecked.close()


def test_staff_reply_and_the_retirees_notices_are_in_my_notices_once_each(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_sun_son")
    client.post("/api/v1/me/binding", headers=me, json={"name": "孙兰", "digits": "0000", "relation": "子女"})
    left = client.post("/api/v1/tickets", headers=me, json={"text": "我妈的体检报告在哪领"})
    number = left.get_json()["number"]
    now = mini.clock.now()
    with transaction(mini.sessions) as session:
        answer(session, mini.texts, number, "在中心一楼服务台领。", actor="clerk", now=now)
        send(session, mini.settings, text="明天上午九点开支部会。去不了的，回复「留言」说一声。",
             audience="group:第一支部", actor="clerk", now=now, title="支部会")
    outbox.drain(mini)
    notices = client.get("/api/v1/me/notices", headers=me).get_json()
    kinds = [(n["kind"], n["read"]) for n in notices["notices"]]
    assert sorted(kinds) == [("notice", False), ("ticket", False)] and notices["unread"] == 2
    meeting = next(n for n in notices["notices"] if n["kind"] == "notice")
    assert "明天上午九点开支部会。" in meeting["text"] and "回复" not in meeting["text"]  # no replying here
    reply = next(n for n in notices["notices"] if n["kind"] == "ticket")
    assert "在中心一楼服务台领" in reply["text"] and reply["kind_name"] == "留言回复"
    assert client.post(f"/api/v1/me/notices/{reply['id']}/read", headers=me).status_code == 204
    assert client.get("/api/v1/me/notices", headers=me).get_json()["unread"] == 1
    with mini.sessions() as session:
        assert session.get_one(OutboxMessage, reply["id"]).status == OutboxStatus.SHOWN  # out of the mailbox
    tickets = client.get("/api/v1/tickets", headers=me).get_json()["tickets"]
    assert tickets[0]["reply"] == "在中心一楼服务台领。" and tickets[0]["state"] == "replied"
    stranger = signed_in("o_mini_nosy")
    assert client.post(f"/api/v1/me/notices/{reply['id']}/read", headers=stranger).status_code == 404
    assert client.get("/api/v1/me/notices", headers=stranger).get_json() == {"unread": 0, "notices": []}


def test_family_who_bind_today_read_what_is_sent_about_their_elder_from_today_on(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    with transaction(mini.sessions) as session:  # last week's notice to 孙兰, through her daughter
        send(session, mini.settings, text="上周的支部会改期了。", audience="group:第一支部", actor="clerk",
             now=mini.clock.now(), title="改期")
    outbox.drain(mini)
    mini.clock.advance(days=7)
    me = signed_in("o_mini_sun_son")
    client.post("/api/v1/me/binding", headers=me, json={"name": "孙兰", "digits": "0000", "relation": "子女"})
    assert client.get("/api/v1/me/notices", headers=me).get_json()["notices"] == []
    with mini.sessions() as session:
        before = session.scalars(sa.select(OutboxMessage.id).where(
            OutboxMessage.recipient == "o_sun_daughter")).first()
    assert client.post(f"/api/v1/me/notices/{before}/read", headers=me).status_code == 404
    with transaction(mini.sessions) as session:
        send(session, mini.settings, text="明天上午九点开支部会。", audience="group:第一支部", actor="clerk",
             now=mini.clock.now(), title="支部会")
    outbox.drain(mini)
    [now_sent] = client.get("/api/v1/me/notices", headers=me).get_json()["notices"]
    assert "明天上午九点开支部会" in now_sent["text"]
    himself = signed_in("o_mini_zhang_himself")  # the retiree reads all that was sent to him
    client.post("/api/v1/me/binding", headers=himself, json={"name": "张明", "digits": "0000"})
    texts = [n["text"] for n in client.get("/api/v1/me/notices", headers=himself).get_json()["notices"]]
    assert any("上周的支部会改期了" in t for t in texts)


def test_the_same_message_sent_twice_is_one_message_with_one_number(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_twice")
    first = client.post("/api/v1/tickets", headers=me, json={"text": "我爸的医药费什么时候报销？"})
    again = client.post("/api/v1/tickets", headers=me, json={"text": "我爸的医药费什么时候报销？"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["number"] == again.get_json()["number"]
    with mini.sessions() as session:
        assert len(session.scalars(sa.select(Ticket)).all()) == 1
        alerts = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like("ticket:%"))).all()
    assert len({a.dedupe_key.rsplit(":", 1)[0] for a in alerts}) == 1  # staff told once
    mini.clock.advance(minutes=30)  # the same words later are a new message
    later = client.post("/api/v1/tickets", headers=me, json={"text": "我爸的医药费什么时候报销？"})
    assert later.get_json()["number"] != first.get_json()["number"]


def test_a_ticket_of_spaces_is_refused_and_nothing_reaches_staff(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    blank = client.post("/api/v1/tickets", headers=signed_in("o_mini_blank"), json={"text": "   \n  "})
    assert blank.status_code == 422 and "留言内容" in blank.get_json()["message"]
    with mini.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def test_a_greeting_or_a_yes_is_not_yet_a_ticket_as_in_the_chat(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    """「你好」「好的」「。。」 alerted every member of staff as a 留言; the chat asks what the matter
    is instead. Refused with what to write, and nothing reaches staff; a real 留言 still goes."""
    for said in ("你好", "好的", "。。", "嗯嗯"):
        refused = client.post("/api/v1/tickets", headers=signed_in("o_mini_hi"), json={"text": said})
        assert refused.status_code == 422
        assert refused.get_json()["message"] == "请写一写是什么事情，工作人员才好帮您办。"
    with mini.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0
    kept = client.post("/api/v1/tickets", headers=signed_in("o_mini_hi"), json={"text": "你好，想问体检的事"})
    assert kept.status_code == 201
    assert client.post("/api/v1/tickets", json={"text": "你好"}).status_code == 401  # signed in first


def test_a_ticket_telling_of_a_fall_is_also_a_care_report_as_in_the_chat(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    """「我父亲摔倒了，现在在医院」 left as a 留言 had been a 留言 only: nothing under 关怀, no caring
    words. Kept as both, with what to do now; the number asked for, given in the next 留言, is
    kept with the report and passed to staff."""
    headers = signed_in("o_mini_fall")
    assert client.post("/api/v1/me/binding", headers=headers,
                       json={"name": "张明", "digits": "0000", "relation": "子女"}).status_code == 201
    told = client.post("/api/v1/tickets", headers=headers, json={"text": "我父亲摔倒了，现在在医院"})
    assert told.status_code == 201
    body = told.get_json()
    assert body["care"] == "fall" and "120" in body["care_text"] and "手机号" in body["care_text"]
    passed_on = client.post("/api/v1/tickets", headers=headers,
                            json={"text": "请转告李阿姨，她电话13800001111，让她回个话"}).get_json()
    assert passed_on["care_text"] is None  # a message naming someone else's number: not the call-back
    phoned = client.post("/api/v1/tickets", headers=headers,
                         json={"text": "我的手机号 13800002222"}).get_json()
    assert phoned["care"] is None and "13800002222" in phoned["care_text"]  # no second report
    plain = client.post("/api/v1/tickets", headers=headers, json={"text": "想问一下体检的事"}).get_json()
    assert plain["care"] is None and plain["care_text"] is None  # no news, no number: a 留言 only
    with mini.sessions() as session:
        [report] = session.scalars(sa.select(CareReport)).all()
        tickets = session.scalar(sa.select(sa.func.count()).select_from(Ticket))
        phone_alert = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like(f"care:{report.id}:phone%"))).all()
        news_alerts = session.scalars(sa.select(OutboxMessage.dedupe_key).where(sa.or_(
            OutboxMessage.dedupe_key == f"ticket:{body['number']}",
            OutboxMessage.dedupe_key.like(f"ticket:{body['number']}:%")))).all()
    assert news_alerts == []  # the care report alerted staff: one alert for the news, not two
    assert (report.kind, report.retiree_id) == ("fall", branch.ids["张明"])
    assert report.reporter_phone == "13800002222"
    assert tickets == 4 and phone_alert  # every 留言 kept; staff told the number


def test_a_ticket_staff_handled_by_phone_shows_as_handled_without_their_note(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    """It had stayed 「reply: null」 like one still waiting: the family would write again."""
    me = signed_in("o_mini_sun_son")
    number = client.post("/api/v1/tickets", headers=me, json={"text": "我爸能不能换个党支部过组织生活"}
                         ).get_json()["number"]
    assert client.get("/api/v1/tickets", headers=me).get_json()["tickets"][0]["state"] == "waiting"
    with transaction(mini.sessions) as session:
        handle_without_reply(session, number, "电话说了，下月转第二支部（内部备注）", actor="clerk",
                             now=mini.clock.now())
    [mine] = client.get("/api/v1/tickets", headers=me).get_json()["tickets"]
    assert mine["state"] == "handled" and mine["replied_at"] is not None
    assert mine["reply"] is None  # staff's own note is not the family's to read
