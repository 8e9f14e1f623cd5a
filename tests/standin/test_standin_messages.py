"""Customer-service and template messages: the 48-hour window, its quota, template ids."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from standin_helpers import Api, FakeClock, SandboxClient
from wechatpy.exceptions import WeChatClientException

from bot.standin import StandinServer

CUSTOM = "cgi-bin/message/custom/send"
TEMPLATE = "cgi-bin/message/template/send"


def text(openid: str, content: str = "您好") -> dict[str, object]:
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


def test_custom_message_outside_any_window_gets_45015(api: Api) -> None:
    assert api.post(CUSTOM, text("o_never"), api.token())["errcode"] == 45015


def test_custom_message_inside_the_window_is_delivered(
        wechat: SandboxClient, server: StandinServer) -> None:
    server.open_window("o_old")
    assert wechat.message.send_text("o_old", "您的申请已受理")["errcode"] == 0
    [call] = server.calls(CUSTOM)
    assert call.delivered == ["o_old"]
    assert call.body["text"] == {"content": "您的申请已受理"}


def test_the_window_closes_after_48_hours(api: Api, server: StandinServer,
                                          clock: FakeClock) -> None:
    server.open_window("o_old")
    clock.advance(48 * 3600 - 1)
    assert api.post(CUSTOM, text("o_old"), api.token())["errcode"] == 0
    clock.advance(1)
    assert api.post(CUSTOM, text("o_old"), api.token())["errcode"] == 45015


def test_wechatpy_raises_45015_for_a_closed_window(wechat: SandboxClient) -> None:
    with pytest.raises(WeChatClientException) as caught:
        wechat.message.send_text("o_quiet", "您好")
    assert caught.value.errcode == 45015


def test_the_quota_is_5_per_window_then_45047(api: Api, server: StandinServer) -> None:
    token = api.token()
    server.open_window("o_old")
    answers = [api.post(CUSTOM, text("o_old", f"第{i}条"), token)["errcode"] for i in range(6)]
    assert answers == [0, 0, 0, 0, 0, 45047]


def test_a_new_user_message_resets_the_quota(make_api: Callable[..., Api]) -> None:
    api = make_api(custom_quota=1)
    token = api.token()
    api.server.open_window("o_old")
    assert api.post(CUSTOM, text("o_old"), token)["errcode"] == 0
    assert api.post(CUSTOM, text("o_old"), token)["errcode"] == 45047
    api.server.open_window("o_old")
    assert api.post(CUSTOM, text("o_old"), token)["errcode"] == 0


def test_custom_message_checks_its_body(api: Api, server: StandinServer) -> None:
    token = api.token()
    server.open_window("o_old")
    assert api.post(CUSTOM, {"msgtype": "text", "text": {"content": "x"}}, token)[
        "errcode"] == 40003
    assert api.post(CUSTOM, {"touser": "o_old", "msgtype": "fax"}, token)["errcode"] == 40008
    assert api.post(CUSTOM, text("o_old", ""), token)["errcode"] == 44004
    assert api.post(CUSTOM, b"{not json", token)["errcode"] == 47001
    assert server.state.windows["o_old"].used == 0


def test_template_message_needs_no_window_and_returns_a_msgid(
        wechat: SandboxClient, server: StandinServer) -> None:
    first = wechat.message.send_template("o_quiet", "TPL_notice", {"first": {"value": "通知"}})
    second = wechat.message.send_template("o_quiet", "TPL_notice", {"first": {"value": "通知"}})
    assert first["errcode"] == 0 and second["msgid"] > first["msgid"]
    assert [c.delivered for c in server.calls(TEMPLATE)] == [["o_quiet"], ["o_quiet"]]


def test_template_ids_are_checked_when_configured(make_api: Callable[..., Api]) -> None:
    api = make_api(template_ids={"TPL_ok"})
    token = api.token()
    body = {"touser": "o1", "template_id": "TPL_ok", "data": {}}
    assert api.post(TEMPLATE, body, token)["errcode"] == 0
    assert api.post(TEMPLATE, {**body, "template_id": "TPL_gone"}, token)["errcode"] == 40037
    assert api.post(TEMPLATE, {"template_id": "TPL_ok", "data": {}}, token)["errcode"] == 40003


def test_any_nonempty_template_id_is_accepted_by_default(api: Api) -> None:
    token = api.token()
    assert api.post(TEMPLATE, {"touser": "o1", "template_id": "x", "data": {}}, token)[
        "errcode"] == 0
    assert api.post(TEMPLATE, {"touser": "o1", "template_id": "", "data": {}}, token)[
        "errcode"] == 40037

