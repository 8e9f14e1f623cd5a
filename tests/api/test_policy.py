"""The mini-program's 政策问答 over /api/v1: the same answers as the chat, the topics and one
topic's answer; bad input is a 422 naming the field in Chinese; the OpenAPI 3.1 document
describes it all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from bot import create_app
from bot.models import CareReport, OutboxMessage
from bot.policies.ask import reply_for
from bot.policies.engine import load_engine
from bot.services import Services


@pytest.fixture
def app(office: Services) -> Flask:
    return create_app(services=office)


def test_a_question_gets_the_chats_answer(app: Flask, office: Services) -> None:
    engine = load_engine(office.settings.content_dir)
    decision = engine.decide("离休费几号发")
    answered = app.test_client().post("/api/v1/policy/ask", json={"question": "离休费几号发"})
    body = answered.get_json()
    assert answered.status_code == 200 and body["topic"]["id"] == decision.topic
    chat = reply_for(engine, office.texts, decision, "离休费几号发")
    assert body["text"] in chat and "回复" not in body["text"]  # the chat's answer, without its 「回复 …」
    assert body["candidates"] == []
    unknown = app.test_client().post("/api/v1/policy/ask", json={"question": "火星上天气怎么样"}).get_json()
    assert unknown["topic"] is None and "留言" in unknown["text"] and "回复" not in unknown["text"]


def test_a_question_about_two_topics_gets_one_answer_and_the_other_to_read_next(app: Flask,
                                                                               office: Services) -> None:
    question = "体检和党费的事想问一下"
    decision = load_engine(office.settings.content_dir).decide(question)
    assert decision.topic is not None and decision.also_close  # the keywords found both, the likeness chose
    body = app.test_client().post("/api/v1/policy/ask", json={"question": question}).get_json()
    assert body["topic"]["id"] == decision.topic and body["candidates"] == []
    assert [t["id"] for t in body["also"]] == list(decision.also_close)


def test_topics_are_listed_and_one_is_read(app: Flask) -> None:
    client = app.test_client()
    listed = client.get("/api/v1/policy/topics").get_json()["topics"]
    assert len(listed) > 10 and all(t["title"] for t in listed)
    first = client.get(f"/api/v1/policy/topics/{listed[0]['id']}").get_json()
    assert first["topic"] == listed[0] and first["answer"]
    missing = client.get("/api/v1/policy/topics/no-such-topic")
    assert missing.status_code == 404 and missing.get_json() == {"code": "not_found", "message": "没有找到。"}


@pytest.mark.parametrize(("body", "said"), [
    ({}, "「问题」不对：缺少这一项"),
    ({"question": ""}, "「问题」不对：不能是空的"),
    ({"question": "问" * 201}, "「问题」不对：太长了，最多 200 个字"),
    ({"question": 42}, "「问题」不对：应为文字"),
])
def test_bad_input_is_a_422_naming_the_field_in_chinese(app: Flask, body: dict, said: str) -> None:
    refused = app.test_client().post("/api/v1/policy/ask", json=body)
    assert refused.status_code == 422 and refused.get_json() == {"code": "invalid", "message": said}


def test_errors_elsewhere_on_the_api_are_json_and_other_pages_keep_theirs(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/nothing-here").get_json()["code"] == "not_found"
    assert client.get("/api/v1/policy/ask").get_json()["code"] == "method_not_allowed"
    assert client.get("/nothing-here").mimetype == "text/html"


def test_the_openapi_document_is_served_and_describes_each_endpoint(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/policy/ask", "/api/v1/policy/topics", "/api/v1/policy/topics/{topic_id}"} <= set(
        document["paths"])
    assert app.test_client().get("/api/v1/swagger").status_code == 404  # no page that loads a CDN


def test_a_signed_in_users_unanswered_question_is_kept_for_staff_an_anonymous_ones_is_not(
        client, signed_in, mini: Services) -> None:
    import sqlalchemy as sa

    from bot.models import PolicyQuestion

    client.post("/api/v1/policy/ask", json={"question": "小区门口的路灯坏了找谁修"})
    client.post("/api/v1/policy/ask", json={"question": "楼下路灯坏了找谁修"}, headers=signed_in())
    client.post("/api/v1/policy/ask", json={"question": "离休费几号发"}, headers=signed_in())
    with mini.sessions() as session:
        kept = list(session.scalars(sa.select(PolicyQuestion)))
    assert [(q.text, q.via, q.openid, q.outcome) for q in kept] == [
        ("楼下路灯坏了找谁修", "mini", "o_mini_daughter", "unanswered")]


def test_a_question_confirmed_not_ours_is_refused_and_not_kept_again(
        client, signed_in, mini: Services) -> None:
    import sqlalchemy as sa

    from bot.models import PolicyQuestion

    asked = client.post("/api/v1/policy/ask", json={"question": "小区里乱停车谁来管"},  # asked.tsv: 「-」
                        headers=signed_in()).get_json()
    assert asked["topic"] is None and asked["candidates"] == []
    with mini.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PolicyQuestion)) == 0


def test_news_of_an_emergency_is_a_care_report_with_120_first_as_in_the_chat(
        client, signed_in, mini: Services, branch) -> None:
    headers = signed_in()
    bound = client.post("/api/v1/me/binding", headers=headers,
                        json={"name": "张明", "digits": "0000", "relation": "子女"})
    assert bound.status_code == 201
    ask = "/api/v1/policy/ask"
    body = client.post(ask, headers=headers, json={"question": "救命 我爸喘不上气"}).get_json()
    assert body["text"].startswith("请马上打 120") and body["topic"] is None
    assert (body["care"], body["urgent"], body["staff_told"]) == ("emergency", True, True)
    assert "请在「留言」里写下您的手机号" in body["text"]  # family: staff have no number to call back on
    with mini.sessions() as session:
        [report] = session.scalars(sa.select(CareReport)).all()
        alerts = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like("care:%"))).all()
    assert (report.kind, report.retiree_id, report.subject) == ("emergency", branch.ids["张明"], "relative")
    assert alerts and "张明（家属说是我爸）" in alerts[0].payload["text"]
    death = client.post(ask, headers=headers, json={"question": "我爸昨天去世了"}).get_json()
    assert "惊闻噩耗" in death["text"] and death["care"] == "death" and not death["urgent"]


def test_news_told_without_signing_in_says_staff_cannot_hear_it(client, mini: Services) -> None:
    body = client.post("/api/v1/policy/ask", json={"question": "我妈摔倒了起不来"}).get_json()
    assert body["care"] == "fall" and "120" in body["text"] and "您还没登录" in body["text"]
    assert not body["staff_told"]
    with mini.sessions() as session:
        assert session.scalars(sa.select(CareReport)).all() == []


@pytest.mark.parametrize("said", ["我妈摔倒了，很严重，昏过去了", "我爸说不想活了", "我爸走丢了"])
def test_news_told_without_signing_in_promises_no_call_from_staff(client, said: str) -> None:
    """「我们已经告诉工作人员，会马上和您联系」 had come first, and 「工作人员收不到」 after: a
    frightened reader stopping at the first would wait for a call that never comes."""
    text = client.post("/api/v1/policy/ask", json={"question": said}).get_json()["text"]
    assert "告诉工作人员" not in text and "工作人员马上" not in text and "工作人员会" not in text
    assert text.count("急事请直接打电话") == 1 and "您还没登录，工作人员收不到这条消息" in text
    assert ("120" in text) or ("12356" in text) or ("110" in text)


@pytest.mark.parametrize(("said", "tap"), [("帮我爸报名参观", "点「活动报名」"),
                                          ("我爸的电话换了怎么改", "点「留言」")])
def test_an_answer_in_the_app_says_where_to_tap_not_what_to_reply(client, said: str, tap: str) -> None:
    """「回复「报名」」 had been shown in the app, which has no reply box."""
    text = client.post("/api/v1/policy/ask", json={"question": said}).get_json()["text"]
    assert tap in text and "回复" not in text
