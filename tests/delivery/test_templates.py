"""Category templates as WeChat shows them since 2023: each field filled as [delivery.templates]
says, cut to its type's limit with 「…」, no first or remark; a table that would misbehave is
named by `content check` before a retiree sees it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from wechatpy.exceptions import WeChatClientException

from bot.clock import SHANGHAI, FixedClock
from bot.config import DeliverySettings
from bot.content_check import check_content
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.delivery.channels import template_payload
from bot.delivery.templates import FOR_FAMILY, problems, render, spec_of
from bot.services import Services, build_services
from bot.standin.server import StandinServer

NOTICE = {"id": "TPL_NOTICE", "fields": {"thing1": "title", "thing2": "summary", "time3": "time",
                                          "phrase4": "kind", "const5": "=请按时参加"}}
NOW = datetime(2026, 12, 3, 9, 5, tzinfo=SHANGHAI)


def test_each_field_is_filled_and_cut_to_its_types_limit() -> None:
    message = {"title": "冬至茶话会的座位安排和乘车办法",
               "text": "各位老同志：冬至茶话会 12 月 21 日下午举行，请在中心大门口集合，统一乘车前往。"
                       "详见 https://x.example/a"}
    payload = template_payload("o1", NOTICE, message, "notice", NOW)
    data = {name: field["value"] for name, field in payload["data"].items()}
    assert data == {"thing1": "冬至茶话会的座位安排和乘车办法", "thing2": "各位老同志：冬至茶话会 12 月 21…",
                    "time3": "2026年12月3日 09:05", "phrase4": "通知", "const5": "请按时参加"}
    assert all(len(v) <= 20 for v in data.values()) and "first" not in data and "remark" not in data
    assert payload["url"] == "https://x.example/a" and "https" not in data["thing2"]


def test_a_table_that_would_misbehave_is_named_field_by_field(office: Services) -> None:
    found = problems({"notice": {"fields": {"thing1": "title"}},
                      "birthday": "TPL_X",
                      "ticket": {"id": "TPL_T", "fields": {"banana1": "title", "thing2": "weather",
                                                           "phrase3": "=这句固定的话太长了",
                                                           "time4": "summary"}}})
    assert found == ["[delivery.templates] notice：缺少模板 id。",
                     "[delivery.templates] birthday：没有这种消息"
                     "（可用：reply、notice、activity、event、ticket、greeting、study、staff）。",
                     "[delivery.templates] ticket：字段 banana1 的类型不认识"
                     "（应以 thing、time、phrase 等开头）。",
                     "[delivery.templates] ticket：字段 thing2 填「weather」看不懂"
                     "（可填 title、summary、date、time、kind，或 =固定文字）。",
                     "[delivery.templates] ticket：字段 phrase3 的固定文字超过 5 个字。",
                     "[delivery.templates] ticket：字段 time4 是日期时间，只能填 time 或 date。"]
    bad = replace(office.settings, delivery=DeliverySettings(templates={"notice": {"fields": {}}}))
    assert "[delivery.templates] notice：缺少模板 id。" in check_content(bad)
    assert not [p for p in check_content(replace(office.settings, delivery=DeliverySettings(
        templates={"notice": NOTICE, "staff": "TPL_STAFF"}))) if "delivery.templates" in p]


def test_what_the_retiree_sees_of_a_notice_sent_by_category_template(
        api_services: Services, standin: StandinServer, clock: FixedClock) -> None:
    settings = replace(api_services.settings, delivery=DeliverySettings(templates={"notice": NOTICE}))
    services = build_services(settings, clock=clock)
    try:
        with transaction(services.sessions) as session:
            outbox.enqueue(session, recipient="o_far_away", dedupe_key="n1", now=clock.now(), kind="notice",
                           title="体检通知",
                           text="今年的健康体检安排在 4 月，请带好身份证和医保卡，空腹前往体检中心。")
        assert outbox.drain(services) == 1
    finally:
        services.close()
    [call] = standin.calls(path="cgi-bin/message/template/send")
    assert call.shown == ["体检通知", "今年的健康体检安排在 4 月，请带好身…", "2026年11月22日 09:30", "通知",
                          "请按时参加"]  # every field in full or cut readably: nothing refused


def test_wechat_refuses_a_category_field_over_its_limit_and_cuts_an_old_keyword(
        api_services: Services, standin: StandinServer) -> None:
    wechat = api_services.wechat
    long = "一" * 21
    refused = standin_answer(wechat, {"thing1": {"value": long}})
    assert refused["errcode"] == 47003
    old_style = {"first": {"value": "您好"}, "keyword1": {"value": long}, "remark": {"value": "谢谢"}}
    standin_answer(wechat, old_style)
    assert standin.calls(path="cgi-bin/message/template/send")[-1].shown == ["一" * 20 + "…"]


def standin_answer(wechat, data: dict) -> dict:
    try:
        return wechat.post("message/template/send", data={"touser": "o1", "template_id": "TPL", "data": data})
    except WeChatClientException as exc:
        return {"errcode": exc.errcode}


def test_a_tap_opens_the_text_s_link_else_the_mini_program_page_else_the_office_s_page() -> None:
    with_page = {**NOTICE, "page": "pages/notices/index"}
    plain = {"title": "体检通知", "text": "下周三体检。"}
    linked = {"title": "学习", "text": "请阅读 https://office.example/study/2026-12?t=1"}
    to_study = template_payload("o1", with_page, linked, "study", NOW, mini_appid="wx_mini")
    assert to_study["url"].endswith("t=1")
    to_mini = template_payload("o1", with_page, plain, "notice", NOW, mini_appid="wx_mini",
                               office_url="https://office.example")
    assert to_mini["miniprogram"] == {"appid": "wx_mini", "pagepath": "pages/notices/index"}
    assert "url" not in to_mini
    to_office = template_payload("o1", with_page, plain, "notice", NOW, office_url="https://office.example")
    assert to_office["url"] == "https://office.example" and "miniprogram" not in to_office


def test_a_family_copy_names_whom_it_is_for_in_a_few_characters_whatever_the_name() -> None:
    spec = spec_of(NOTICE)
    for name in ("孙兰", "阿依古丽·买买提", "王（小）明", "欧阳" + "长" * 38):
        text = f"【体检通知】\n{FOR_FAMILY.format(name=name)}\n明天体检，请空腹。"
        summary = render(spec, {"text": text, "title": "体检通知"}, "notice", NOW)["thing2"]["value"]
        shown = f"给{name}：明天体检，请空腹。"
        assert summary == (shown if len(shown) <= 20 else shown[:19] + "…"), name
    untitled = render(spec, {"text": f"{FOR_FAMILY.format(name='孙兰')}\n明天体检。", "title": None},
                      "notice", NOW)
    assert untitled["thing2"]["value"] == "给孙兰：明天体检。"
